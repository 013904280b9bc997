#pragma once
// What a model author implements: given typed hyper-parameters, train and evaluate, and
// return the figure of merit (FoM). The framework owns the search, the distribution and the
// bookkeeping; a workload only computes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <mpi.h>

#include "hpopt/space/space.hpp"

namespace hpopt::workload {

struct TrialContext {
    std::int64_t trial_id = 0;
    std::uint64_t seed = 0;  // every random choice of the trial draws from it
    int fold = 0;            // this evaluation's fold of k-fold cross-validation
    int folds = 1;
    int attempt = 0;         // how many earlier runs of this trial failed (budget.max_retries)
    // When the trial's time is up (budget.trial_timeout_s). A workload checks it between steps
    // (past_deadline()) and stops by throwing; one that returns late fails all the same.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    // The ranks that evaluate this fold together, for a workload that trains_as_team();
    // MPI_COMM_NULL when this process is alone (no mpirun).
    MPI_Comm team = MPI_COMM_NULL;
    // Where this fold may keep checkpoints, so that the trial can continue after a restart;
    // empty for none.
    std::string checkpoint_dir;
    // The run's output dir, for a workload that keeps files of its own there; empty for none.
    std::string run_dir;
    // Called by a workload that trains in epochs, once per epoch (on the team's first rank),
    // with the FoM the trial would have if it ended there and what else the journal should
    // keep of the epoch (a JSON object, or null); may be empty.
    std::function<void(std::int64_t epoch, double fom, const Json& details)> report_epoch;
    // Called by a workload with figures of the trial beside its FoM (a JSON object of named
    // numbers: a model's parameter count, its inference time); the journal keeps the last ones
    // with the trial's result, averaged over folds. May be empty.
    std::function<void(const Json& figures)> report_figures;
    // True once the search is stopping (a signal, its wall time): a workload checks it between
    // steps, like the deadline, and throws TrialInterrupted. The trial runs again when the search
    // is resumed, from its last checkpoint. May be empty (never interrupted).
    std::function<bool()> interruption;
    // True once the search has stopped this trial early (the spec's early_stopping, after an
    // epoch it reported): a workload checks it between steps or epochs, like interrupted(), and
    // throws TrialStopped. The trial's FoM is then the one of the epoch the search judged it
    // by. May be empty (never stopped).
    std::function<bool()> early_stop;
    // `hpopt simulate`: the search runs on virtual time and draws each trial's duration itself.
    // A workload computes its FoM without waiting out simulated durations of its own.
    bool simulated = false;

    bool past_deadline() const { return deadline && std::chrono::steady_clock::now() >= *deadline; }
    bool interrupted() const { return interruption && interruption(); }
    bool stopped_early() const { return early_stop && early_stop(); }
};

// Thrown by a workload to fail a trial with a reason: a verdict on its parameters, which a
// retry would not change. Any other exception fails the trial too, as a fault that may not
// happen again (budget.max_retries runs such trials again).
class TrialFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown by a workload that stops because the context says interrupted(): the trial has not
// failed, it has not finished.
class TrialInterrupted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown by a workload that stops because the context says stopped_early(): the trial has
// not failed; its result is the FoM of its last reported epoch.
class TrialStopped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Workload {
public:
    virtual ~Workload() = default;
    // What the FoM measures, for people: "branin", "validation accuracy".
    virtual std::string fom_name() const = 0;
    virtual double evaluate(const space::Params& params, const TrialContext& context) = 0;
    // True when every rank of a fold team calls evaluate() together; otherwise only the fold
    // leader does and the team's other ranks wait.
    virtual bool trains_as_team() const { return false; }
    // At the end of a search, the best trial measured on data that no FoM used (a test set),
    // as named figures; null when the workload has no such data. `context` is the trial's, for
    // its checkpoints.
    virtual Json test_figures(const space::Params& params, const TrialContext& context) {
        (void)params, (void)context;
        return nullptr;
    }
};

}  // namespace hpopt::workload
