#pragma once
// The coordinator: asks the optimizer for parameters, hands trials to idle groups, records
// every step in the journal before acting on it, tells the optimizer each result as it comes,
// and stops on the budget, the target or exhaustion (once the running trials have finished),
// or is interrupted by a stop request or the wall time: then the running trials are asked to
// stop at their next step and waited for at most budget.grace_s, and the run is left to resume.
// Groups never wait for each other: a group that reports gets the next trial at once, asked
// with the trials still running as pending points (with several groups, asked while they were
// all busy). A failure that may be transient runs again, up to budget.max_retries times.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hpopt/cluster/executor.hpp"
#include "hpopt/journal/journal.hpp"
#include "hpopt/journal/results_files.hpp"
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/spec/spec.hpp"

namespace hpopt::cluster {

struct BestTrial {
    journal::Trial trial;
    journal::TrialResult result;
};

struct SearchProgress {
    std::int64_t finished = 0;  // failed ones included
    std::int64_t failed = 0;
    std::int64_t running = 0;
    double elapsed_s = 0;
    int groups = 1;
    double busy_group_s = 0;  // the groups' time on trials: finished ones, and the running ones so far
    std::optional<BestTrial> best;
    std::optional<journal::EpochReport> last_epoch;  // the latest epoch a running trial finished
};

struct SearchMetrics {
    int groups = 1;
    double busy_group_s = 0;        // the groups' own time on their trials
    double dispatch_latency_s = 0;  // summed: from a group's result to its next trial
    std::int64_t redispatches = 0;
    double ask_s = 0, tell_s = 0;

    // Busy group-seconds over available group-seconds.
    double utilization(double elapsed_s) const;
    double mean_dispatch_latency_s() const;
};

struct SearchOutcome {
    std::string stop_reason;  // "trial budget reached", "target reached", "wall time reached", ...
    SearchProgress progress;
    SearchMetrics metrics;
    bool interrupted = false;   // by a stop request or the wall time: unfinished trials may remain
    std::int64_t abandoned = 0;  // trials still running when the grace ran out (their groups are busy)
};

class Coordinator {
public:
    Coordinator(const spec::Spec& spec, optim::Optimizer& optimizer, Executor& executor, journal::Journal& journal,
                journal::ResultsFiles& results, std::string fom_name);

    // Called after each finished trial, each epoch a trial reports, and trials handed out.
    void on_progress(std::function<void(const SearchProgress&)> callback) { on_progress_ = std::move(callback); }
    // Polled while the search runs; true interrupts it (a stop signal).
    void stop_when(std::function<bool()> requested) { stop_requested_ = std::move(requested); }
    // Lines for people: an interruption, a retry, trials left running.
    void on_notice(std::function<void(const std::string&)> callback) { on_notice_ = std::move(callback); }
    // Trials keep checkpoints under `root` (see checkpoint_dir): those of a finished trial are
    // removed unless it is the best so far, which keeps its own until a better one finishes.
    void prune_checkpoints(std::string root) { checkpoint_root_ = std::move(root); }

    // Before run(), to go on with a run from its journal's records: the optimizer is brought to
    // where it was by asking and telling again what the journal says it was asked and told, each
    // ask when it had as many results and the same trials pending as then (so that the resumed
    // search makes the suggestions of one never stopped), the finished trials count as such, and
    // the trials that were running are handed out first. Returns how many replayed suggestions
    // differed from the journal's (none but for an optimizer that is not deterministic): those
    // trials go on with the journal's parameters. A record
    // that cannot be replayed (fields missing, a point outside the space, a trial finished
    // before it started) throws journal::JournalError naming its line.
    // `dropped` describes a torn record that was cut from the journal ("" for none).
    std::int64_t resume(const std::vector<Json>& records, const std::string& dropped);

    SearchOutcome run(const std::string& version);

private:
    using Clock = std::chrono::steady_clock;

    void account(const journal::Trial& trial, const journal::TrialResult& result);
    void report_progress();
    void remove_checkpoints(std::int64_t trial_id) const;
    std::optional<std::string> stop_reason() const;
    std::optional<std::string> interruption_due() const;
    void interrupt(const std::string& reason);
    void notify(const std::string& notice) const;
    using InFlight = std::map<std::int64_t, journal::Trial>;
    struct ReplayedAsk {
        std::int64_t trial;
        std::vector<std::int64_t> pending;  // the trials running when it was asked
        std::int64_t told;                  // how many results the optimizer had by then
    };
    struct Replay {
        std::map<std::int64_t, journal::Trial> suggested;  // every trial of the journal
        std::vector<ReplayedAsk> asks;                      // in the order they were made
        std::size_t asked = 0;                              // how many of them were made again
        std::int64_t finished_so_far = 0;                   // first pass: trial_finished records seen
        InFlight in_flight;                                 // second pass: suggested, not finished
        std::set<std::int64_t> finished;
        std::int64_t differed = 0;
    };
    void collect_suggestion(const Json& record, Replay& replay) const;
    void replay_record(const Json& record, Replay& replay);
    void ask_again(Replay& replay, std::int64_t told);
    static journal::Trial& started(InFlight& in_flight, std::int64_t id);
    void check_fits_space(const journal::Trial& trial) const;
    struct Asked {
        optim::Point point;
        std::vector<std::int64_t> pending;  // the trials running then
        std::int64_t told = 0;              // how many results the optimizer had
    };
    std::optional<Asked> ask();
    void ask_ahead(const std::vector<int>& idle, const std::optional<std::string>& reason);
    std::optional<journal::Trial> prepare(int group);
    void dispatch(std::vector<int>& idle, std::optional<std::string>& reason, bool& exhausted);
    void record(const Finished& finished);
    void retry(journal::Trial trial, const journal::TrialResult& result);
    void finish(const journal::Trial& trial, const journal::TrialResult& result);
    SearchOutcome conclude(const std::string& reason);
    double elapsed_s() const;

    const spec::Spec& spec_;
    optim::Optimizer& optimizer_;
    Executor& executor_;
    journal::Journal& journal_;
    journal::ResultsFiles& results_;
    std::string fom_name_;
    std::function<void(const SearchProgress&)> on_progress_;
    std::function<bool()> stop_requested_;
    std::function<void(const std::string&)> on_notice_;
    std::string checkpoint_root_;

    Clock::time_point start_;
    std::int64_t next_id_ = 0;
    struct Running {
        journal::Trial trial;
        Clock::time_point dispatched;
    };
    std::map<int, Running> running_;              // by group
    std::map<int, Clock::time_point> idle_since_;  // groups that reported and wait for work
    std::optional<Asked> asked_ahead_;             // suggested while every group was busy
    struct Repeat {
        journal::Trial trial;
        bool retry;  // after a failure; otherwise a trial of before a resume
    };
    std::deque<Repeat> again_;                     // trials to hand out again before new ones
    std::optional<Json> resumed_record_;           // journaled instead of run_started
    std::optional<std::string> interruption_;      // why the search was interrupted
    Clock::time_point grace_end_;                  // when it stops waiting for interrupted trials
    std::vector<std::int64_t> interrupted_;        // trials that stopped when asked
    SearchProgress progress_;
    SearchMetrics metrics_;
};

// The journal's summary of a finished search.
Json to_json(const SearchOutcome& outcome);

}  // namespace hpopt::cluster
