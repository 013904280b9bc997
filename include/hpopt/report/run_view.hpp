#pragma once
// A run's history read with its spec: which figure of merit is better, the best trial, the best
// so far, what each group did. What `hpopt status`, `export` and `report` show.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hpopt/journal/run_history.hpp"
#include "hpopt/spec/spec.hpp"

namespace hpopt::report {

class RunView {
public:
    explicit RunView(journal::RunHistory history);
    // The run in `run_dir` as its journal says; throws journal::JournalError when there is no
    // journal or it cannot be read, config::InvalidConfig when its spec is not one.
    static RunView read(const std::filesystem::path& run_dir);

    const journal::RunHistory& history() const { return history_; }
    const spec::Outline& spec() const { return spec_; }
    bool better(double fom, double than) const { return spec_.objective.better(fom, than); }
    // Whether a result may be the best (or on the Pareto front): trained to its end, within the
    // constraints, with every objective reported.
    bool contends(const journal::TrialResult& result) const {
        return result.ok() && spec_.objective.feasible(result.figures) && spec_.objective.unreported(result.figures).empty();
    }
    // With several objectives, each one's value of a contending result.
    std::vector<double> objective_values(const journal::TrialResult& result) const {
        return spec_.objective.values(result.fom, result.figures);
    }

    std::int64_t finished() const;  // ok or failed
    std::int64_t failed() const { return finished_as(journal::TrialStatus::failed); }
    std::int64_t stopped() const { return finished_as(journal::TrialStatus::stopped); }  // early
    std::int64_t running() const;
    std::int64_t paused() const;  // waiting at a rung to be promoted (early stopping's promote mode)
    const journal::TrialHistory* best() const;  // nullptr before a trial contends
    // "ok", "failed", "stopped" (early), "running", "paused", or "unfinished" (interrupted, lost,
    // or waiting for a retry).
    std::string status(const journal::TrialHistory& trial) const;
    std::int64_t finished_as(journal::TrialStatus status) const;

    struct BestSoFar {
        std::int64_t finished = 0;  // trials finished by then, failed ones included
        double time_s = 0;
        double fom = 0;
        std::int64_t trial = 0;
    };
    // After each trial that improved on the ones before, in the order they finished.
    std::vector<BestSoFar> best_so_far() const;

    // With several objectives: the contending trials that no other dominates, by their first
    // objective (none with one objective).
    std::vector<const journal::TrialHistory*> pareto_front() const;
    // The hypervolume the contending trials dominated after each trial finished, against a
    // reference point a tenth of each objective's range past its worst value.
    struct HypervolumeSoFar {
        std::vector<double> reference;  // as objective values
        std::vector<double> by_finished;  // after the first k trials finished, failed ones included
    };
    HypervolumeSoFar hypervolume_so_far() const;

    std::vector<double> busy_s_per_group() const;
    // Busy group-seconds over the groups' seconds in the sessions.
    double utilization() const;

private:
    journal::RunHistory history_;
    spec::Outline spec_;
};

// "3.25 s", "42.0 s", "12.5 min", "3.10 h": a span of time for people.
std::string readable_duration(double seconds);
// "2 failed", or "2 failed, 5 stopped early" once early stopping has stopped trials.
std::string failed_and_stopped(std::int64_t failed, std::int64_t stopped);
// "minimize f1, maximize accuracy": several objectives with their directions.
std::string objectives_text(const spec::Objective& objective);
// "3 running", or "3 running, 5 paused" while early stopping holds paused trials.
std::string running_and_paused(std::int64_t running, std::int64_t paused);

}  // namespace hpopt::report
