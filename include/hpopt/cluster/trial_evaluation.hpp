#pragma once
// Evaluating one trial: each fold in turn, the FoM averaged over folds. Anything that goes
// wrong (an exception, a FoM that is NaN or infinite) fails the trial with its reason
// instead of escaping.
#include "hpopt/journal/trial.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::cluster {

// `started_s` is when the trial started, since the run started; it is copied to the result.
journal::TrialResult evaluate_trial(workload::Workload& workload, const journal::Trial& trial, int folds,
                                    double started_s);

}  // namespace hpopt::cluster
