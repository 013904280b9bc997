#include "hpopt/cluster/executor.hpp"

#include "hpopt/cluster/trial_evaluation.hpp"

namespace hpopt::cluster {

InProcessExecutor::InProcessExecutor(workload::Workload& workload, int folds, std::optional<double> trial_timeout_s,
                                     std::string checkpoint_root)
    : workload_(workload), folds_(folds), trial_timeout_s_(trial_timeout_s), checkpoint_root_(std::move(checkpoint_root)) {}

void InProcessExecutor::start(int, const journal::Trial& trial) { started_ = trial; }

std::optional<Finished> InProcessExecutor::wait(double) {
    if (!started_) return std::nullopt;
    Finished finished{0, evaluate_trial(workload_, *started_, folds_, trial_timeout_s_, checkpoint_root_, on_epoch_,
                                              interruption_due_)};
    started_.reset();
    return finished;
}

}  // namespace hpopt::cluster
