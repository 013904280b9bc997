#pragma once
// `hpopt simulate`: the search's own coordinator and optimizer against simulated groups, on
// virtual time. Each trial takes a lognormal time (its median, and `spread`, the standard
// deviation of its log) drawn for its id and attempt. Its FoM and epoch reports are the
// workload's own, computed at once (TrialContext::simulated) and delivered at their virtual
// times: epoch k of E after k/E of the trial's time, the folds side by side as under mpirun; a
// trial that goes on from a pause spends only its remaining epochs' share. Virtual time jumps to
// the next event while the coordinator waits, and runs with the real clock while it computes
// (tells, journal writes), so a slow coordinator costs utilization as it would on a cluster. The
// optimizer's batches of suggestions run at once, but are ready only once virtual time has run
// for as long as they took, as on a thread of their own. With `free_coordinator`, neither takes
// any virtual time.
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "hpopt/cluster/executor.hpp"

namespace hpopt::cluster {

struct SimulatedTrials {
    double median_s = 60;
    double spread = 0.5;
    bool free_coordinator = false;
};

class SimulatedExecutor : public Executor {
public:
    SimulatedExecutor(workload::Workload& workload, int groups, int folds, SimulatedTrials trials, std::uint64_t seed,
                      std::optional<double> trial_timeout_s);

    int groups() const override { return groups_; }
    void start(int group, const journal::Trial& trial) override;
    std::optional<Finished> wait(double timeout_s) override;
    void shutdown() override {}
    void interrupt() override;
    void stop_early(int group, std::int64_t trial) override;
    Clock::time_point now() const override;
    // The optimizer's batches take virtual time as they take real time (none with a free
    // coordinator), beside the coordinator's.
    std::unique_ptr<ModelWorker> model_worker() override;
    // Runs `work` while virtual time stands still; how long it took (zero for a free coordinator).
    Clock::duration off_the_clock(const std::function<void()>& work);

private:
    // A trial on a group: what it will report, and when.
    struct Run {
        journal::Trial trial;
        Clock::duration started{}, ends{};  // virtual, since the simulation began
        journal::TrialResult result;        // as it ends
        std::deque<std::pair<Clock::duration, journal::EpochReport>> epochs;  // still to report, in time order
    };

    double duration_s(const journal::Trial& trial) const;
    Run simulate(const journal::Trial& trial) const;
    void sync() const;
    std::optional<std::pair<int, Clock::duration>> next_event() const;
    void cut_short(Run& run, journal::TrialStatus status, const std::string& reason);

    workload::Workload& workload_;
    int groups_;
    int folds_;
    SimulatedTrials trials_;
    std::uint64_t seed_;
    std::optional<double> trial_timeout_s_;
    Clock::time_point origin_;               // real: when the simulation began
    mutable Clock::duration virtual_{};      // virtual time since then
    mutable Clock::time_point synced_;       // real: when virtual_ last took in the coordinator's work
    std::map<int, Run> runs_;                // by group
    std::map<std::int64_t, std::int64_t> reached_;  // by trial: the last epoch it reported
};

}  // namespace hpopt::cluster
