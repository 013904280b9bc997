#pragma once
// The coordinator: asks the optimizer for parameters, hands trials to idle groups, records
// every step in the journal before acting on it, tells the optimizer each result as it comes,
// and stops on the budget, the target or exhaustion (once the running trials have finished),
// or is interrupted by a stop request or the wall time: then the running trials are asked to
// stop at their next step and waited for at most budget.grace_s, and the run is left to resume.
// With early stopping, each epoch a trial reports (its folds' mean) is judged, and a trial
// judged hopeless is asked to stop at its next step; its result then has the FoM it was judged
// by. In promote mode it pauses instead, keeping its checkpoint: a group that is free takes a
// paused trial that now qualifies before any new one, and the trials still paused when the
// search ends finish as stopped. Groups never wait for each other, nor (with several) for the
// optimizer: a group that reports gets the next trial at once from the suggestions asked ahead
// (see SuggestionQueue), enough for the groups that will report while the next batch is asked.
// A single group's suggestion is asked when it reports, knowing every result. A failure that
// may be transient runs again, up to budget.max_retries times. With several objectives, each
// finished trial's objectives are told beside its FoM (one that left an objective out fails),
// and the Pareto front of the feasible trials is kept and written to pareto.json. A group past its trial's deadline
// and the grace, or silent for budget.silence_limit_s, is hung: its trial fails (transient: it
// may run again elsewhere) and it gets no more trials.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hpopt/cluster/executor.hpp"
#include "hpopt/cluster/suggestion_queue.hpp"
#include "hpopt/fidelity/early_stopping.hpp"
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
    std::int64_t stopped = 0;  // early
    std::int64_t paused = 0;   // waiting at a rung to be promoted
    std::int64_t running = 0;
    std::int64_t epochs = 0;   // trained, as budget.epochs counts them
    double elapsed_s = 0;
    int groups = 1;
    int lost_groups = 0;  // found hung: past their trial's deadline and the grace, or silent
    // The groups' time on trials: finished ones (as the groups measured it), and the running
    // ones so far.
    double busy_group_s = 0;
    std::optional<BestTrial> best;
    // With several objectives: the trials trained to their end, within the constraints, that no
    // other dominates (the Pareto front), by their first objective.
    std::vector<BestTrial> front;
    std::optional<journal::EpochReport> last_epoch;  // the latest epoch a running trial finished

    // Busy group-seconds over available group-seconds.
    double utilization() const;
};

// What the coordinator itself spent.
struct SearchMetrics {
    double dispatch_latency_s = 0;  // summed: from a group's result to its next trial
    std::int64_t redispatches = 0;
    double model_s = 0;           // the optimizer's time answering batches of suggestions
    std::int64_t suggested = 0;   // suggestions it made
    double tell_s = 0;            // on the coordinator's loop

    double mean_dispatch_latency_s() const;
    double model_s_per_suggestion() const;
};

// Why a search ended: the first four once the running trials had finished, the others
// without waiting for them (the search can be resumed).
enum class StopReason { trial_budget, epoch_budget, target, exhausted, wall_time, interrupted, groups_lost };
// "trial budget reached", "epoch budget reached", "target reached", "search space exhausted",
// "wall time reached", "interrupted", "every group lost": as the journal's run_finished record
// says it.
std::string to_string(StopReason reason);

struct SearchOutcome {
    StopReason stop_reason = StopReason::trial_budget;
    SearchProgress progress;
    SearchMetrics metrics;
    bool interrupted = false;   // by a stop request or the wall time: unfinished trials may remain
    // Groups still busy: with trials that did not stop within the grace, or hung. MPI cannot
    // free them: the job must end by MPI_Abort.
    std::int64_t abandoned = 0;
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
    // The search runs on virtual time (hpopt simulate): run_started records these settings, and
    // the run cannot be resumed.
    void simulation(Json settings) { simulation_ = std::move(settings); }

    // Before run(), to go on with a run from its journal's records (see JournalReplay): the
    // optimizer is brought to where it was, the finished trials count as such, and the trials
    // that were running are handed out first. Returns how many replayed suggestions differed
    // from the journal's; those trials go on with the journal's parameters. Throws
    // journal::JournalError for a record that cannot be replayed. `dropped` describes a torn
    // record that was cut from the journal ("" for none).
    std::int64_t resume(const std::vector<Json>& records, const std::string& dropped);

    SearchOutcome run(const std::string& version);

private:
    using Clock = Executor::Clock;  // read through executor_.now()

    struct Running {
        journal::Trial trial;
        Clock::time_point dispatched;
    };
    // Early stopping's verdict on a trial: the epoch and the FoM it was judged by.
    struct JudgedAt {
        std::int64_t epoch;
        double fom;
    };
    // A trial handed out again before any new one: after a failure that may not happen again,
    // or one that was running when the search stopped, after a resume.
    struct Rerun {
        enum class Cause { retry, resume };
        journal::Trial trial;
        Cause cause;
    };

    std::optional<StopReason> budget_spent() const;
    std::optional<StopReason> interruption_due() const;
    void interrupt(StopReason reason);
    void notify(const std::string& notice) const;
    void ask_ahead();
    std::size_t suggestions_ahead() const;
    double wait_s() const;
    std::optional<journal::Trial> prepare(int group);
    void dispatch();
    void record(const Finished& finished);
    void take_epoch(const journal::EpochReport& report);
    std::map<int, Running>::iterator running_trial(std::int64_t trial);
    std::optional<fidelity::Cut> verdict(std::int64_t trial, std::int64_t epoch, double fom);
    void judge(std::int64_t trial, std::int64_t epoch, double fom);
    void park(const journal::Trial& trial);
    bool promotion_due() const;
    std::optional<journal::Trial> promote(int group);
    std::int64_t epochs_spent() const;
    void replay_epochs(const std::vector<Json>& records);
    void finish_stopped(const journal::Trial& trial, const JudgedAt& at, const std::string& reason);
    void give_up_hung_groups();
    void lose_group(int group, const std::string& reason);
    void settle(const journal::Trial& trial, const journal::TrialResult& result);
    void retry(journal::Trial trial, const journal::TrialResult& result);
    void finish(const journal::Trial& trial, const journal::TrialResult& result);
    std::optional<double> told_fom(const journal::TrialResult& result) const;
    std::optional<double> stopped_fom_told(double fom) const;
    static std::optional<std::int64_t> stopped_epoch_of(const journal::TrialResult& result);
    void tell_finished(const journal::Trial& trial, const journal::TrialResult& result);
    void tell(const journal::Trial& trial, std::optional<double> fom, std::optional<std::int64_t> stopped_epoch,
              std::vector<double> losses = {});
    void tell_rung(std::int64_t trial, std::int64_t epoch, double fom);
    void told_rung(const journal::Trial& trial, std::int64_t epoch, double fom);
    void account(const journal::Trial& trial, const journal::TrialResult& result);
    bool new_best(const journal::TrialResult& result) const;
    void fail_without_objectives(journal::TrialResult& result) const;
    void update_front(const journal::Trial& trial, const journal::TrialResult& result);
    Json pareto_document() const;
    void report_progress();
    void remove_checkpoints(std::int64_t trial_id) const;
    SearchOutcome conclude();

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
    Json simulation_;  // null unless simulated

    Clock::time_point start_;
    std::int64_t next_id_ = 0;
    std::map<int, Running> running_;               // by group
    std::vector<int> idle_;                        // groups without a trial, the next to get one last
    std::map<int, Clock::time_point> idle_since_;  // groups that reported and wait for work
    SuggestionQueue suggestions_;
    double mean_trial_s_ = 0;                      // recent trials' time from dispatch to result
    std::deque<Rerun> reruns_;                     // handed out before new trials
    std::optional<StopReason> stop_reason_;        // once set, no new trials
    bool exhausted_ = false;                       // the optimizer has nothing more to suggest
    std::optional<Json> resumed_record_;           // journaled instead of run_started
    std::optional<StopReason> interruption_;       // why the search was interrupted
    Clock::time_point grace_end_;                  // when it stops waiting for interrupted trials
    std::vector<std::int64_t> interrupted_;        // trials that stopped when asked
    std::set<int> lost_groups_;                    // hung: they get nothing more
    fidelity::FoldMeans fold_means_;               // the trials' epochs, their folds brought together
    std::unique_ptr<fidelity::EarlyStopping> early_stopping_;  // null without early stopping
    fidelity::RungLadder rungs_;                   // the epochs told to the optimizer with tell_stopped "rungs"
    std::map<std::int64_t, JudgedAt> stopped_at_;  // trials early stopping stopped, by id
    std::vector<journal::Trial> stopped_in_flight_;  // resumed: stopped, without their result
    std::map<std::int64_t, JudgedAt> paused_at_;   // trials paused (promote mode) and not promoted since, by id
    std::map<std::int64_t, journal::Trial> paused_;  // those of them their groups have left: promotion candidates
    std::set<std::int64_t> told_trials_;           // the trials it heard of
    std::int64_t trials_without_epochs_ = 0;       // finished without an epoch report: one epoch each
    double finished_busy_s_ = 0;                   // the finished trials' durations, summed
    SearchProgress progress_;
    SearchMetrics metrics_;
};

// The journal's summary of a finished search.
Json to_json(const SearchOutcome& outcome);

}  // namespace hpopt::cluster
