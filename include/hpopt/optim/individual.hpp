#pragma once
// An evaluated point as the population-based searches (evolution, CMA-ES) rank it. An
// individual trained further is fitter (early stopping stopped the others at a lower rung: their
// losses are not comparable), then a lower loss; a failed trial's loss is +infinity and it
// trained no epoch. With several objectives, an individual's loss is its place in its
// population's NSGA-II order (see rank_by_objectives).
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
    std::vector<double> losses = {};  // each objective's, with several; none when it failed
};

bool fitter(const Individual& a, const Individual& b);

// With several objectives, sets the loss of each individual that has losses to its place among
// them by non-dominated front, then crowding distance (0: the best); failed ones keep theirs.
// With one objective, leaves the losses as they are.
void rank_by_objectives(std::vector<Individual>& population);

// What an evaluation says of its individual: a failure trained nothing.
Individual individual_of(const Evaluation& evaluation);

Json individual_to_json(const Individual& individual);
Individual individual_from_json(const Json& json);

}  // namespace hpopt::optim
