#pragma once
// Evaluating a trial: one fold at a time, the FoM averaged over folds. Anything that goes wrong
// (an exception, a FoM that is NaN or infinite, the trial's deadline) fails the fold with its
// reason instead of escaping; a failed fold fails the trial. A fold the search interrupts (a
// signal, its wall time) neither finishes nor fails: it is marked interrupted.
#include <chrono>
#include <functional>
#include <optional>

#include "hpopt/journal/trial.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::cluster {

struct FoldResult {
    journal::TrialStatus status = journal::TrialStatus::ok;
    double fom = 0;
    std::string reason;      // why the fold failed or was interrupted
    bool transient = false;  // a failure that may not happen again (see TrialResult)
    std::vector<double> epoch_foms;  // as the workload reported them, epoch after epoch
    Json figures = Json::object();   // the last the workload reported (TrialContext::report_figures)

    bool ok() const { return status == journal::TrialStatus::ok; }
};

// Where a trial's folds keep their checkpoints under a run's checkpoint root ("" for none).
std::string checkpoint_dir(const std::string& checkpoint_root, std::int64_t trial_id);

using EpochCallback = std::function<void(const journal::EpochReport&)>;

// One fold of a trial to evaluate, and where its epoch reports go.
struct FoldTask {
    journal::Trial trial;
    int fold = 0;
    int folds = 1;
    std::optional<double> timeout_s;  // the trial's time limit, counted from `start`
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    MPI_Comm team = MPI_COMM_NULL;  // the ranks that evaluate the fold together
    std::string checkpoint_root;    // "" for no checkpoints
    EpochCallback on_epoch;         // may be empty
    std::function<bool()> interruption;  // true once the search is stopping; may be empty
    std::function<bool()> early_stop;    // true once the search stops this trial early; may be empty
    bool simulated = false;              // hpopt simulate (see TrialContext::simulated)
};

FoldResult evaluate_fold(workload::Workload& workload, const FoldTask& task);

// The trial's result from its folds' (in fold order): the mean and standard deviation of the
// FoMs, or the first failure's reason, prefixed with its fold when there are several; a failure
// outweighs an early stop (whose FoMs are each fold's last epoch's), which outweighs an
// interruption (they are results).
journal::TrialResult combine_folds(std::int64_t trial_id, const std::vector<FoldResult>& folds);

// Every fold in turn in this process, stopping at the first that does not succeed.
journal::TrialResult evaluate_trial(workload::Workload& workload, const journal::Trial& trial, int folds,
                                    std::optional<double> timeout_s = std::nullopt, const std::string& checkpoint_root = "",
                                    const EpochCallback& on_epoch = {}, const std::function<bool()>& interruption = {},
                                    const std::function<bool()>& early_stop = {});

}  // namespace hpopt::cluster
