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
};

struct BayesSettings {
    int initial_points = 10;
    std::optional<Acquisition> acquisition = Acquisition::expected_improvement;  // nullopt: hedge over all three
    AcquisitionParameters parameters;
    PendingStrategy pending = PendingStrategy::kriging_believer;
};

}  // namespace hpopt::optim::bayes
