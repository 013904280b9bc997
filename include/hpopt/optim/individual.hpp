#pragma once
// An evaluated point as the population-based searches (evolution, CMA-ES) rank it. An
// individual trained further is fitter (early stopping stopped the others at a lower rung: their
// losses are not comparable), then a lower loss; a failed trial's loss is +infinity and it
// trained no epoch.
#include <cstdint>
#include <limits>

#include "hpopt/config/json.hpp"
#include "hpopt/optim/optimizer.hpp"

namespace hpopt::optim {

struct Individual {
    static constexpr std::int64_t trained_to_the_end = std::numeric_limits<std::int64_t>::max();
    space::Point point;
    double loss;
    std::int64_t epochs = trained_to_the_end;  // where early stopping stopped it; 0 when it failed
};

bool fitter(const Individual& a, const Individual& b);

// What an evaluation says of its individual: a failure trained nothing.
Individual individual_of(const Evaluation& evaluation);

Json individual_to_json(const Individual& individual);
Individual individual_from_json(const Json& json);

}  // namespace hpopt::optim
