#pragma once
// The options of "optimizer": {"kind": "bayes", ...}.
#include <optional>

#include "hpopt/optim/bayes/acquisition.hpp"

namespace hpopt::optim::bayes {

// How the points still being evaluated enter the model when the next point is chosen.
enum class PendingStrategy {
    kriging_believer,    // their posterior mean, as if the model were right
    constant_liar_min,   // the best loss observed so far
    constant_liar_mean,  // the mean loss observed
    constant_liar_max,   // the worst loss observed
    // Not modelled at all: while points are pending, each ask maximizes the lower confidence
    // bound with a kappa of its own, drawn from an exponential distribution of mean `kappa`
    // (DeepHyper's qUCB, Egele et al., "Asynchronous decentralized Bayesian optimization",
    // 2023); with none pending, the acquisition as set. No fantasies: an ask costs the same
    // with a thousand pending points as with none.
    randomized_lcb,
};

struct BayesSettings {
    int initial_points = 10;
    std::optional<Acquisition> acquisition = Acquisition::expected_improvement;  // nullopt: hedge over all three
    AcquisitionParameters parameters;
    PendingStrategy pending = PendingStrategy::randomized_lcb;
    // Early stopping tells every trial's loss at each rung (tell_stopped "rungs"): until
    // enough trials have finished, the model is fitted at the highest rung that enough trials
    // reached, as BOHB does with its densities; a stopped trial's last loss is one of those.
    bool model_rungs = false;
};

}  // namespace hpopt::optim::bayes
