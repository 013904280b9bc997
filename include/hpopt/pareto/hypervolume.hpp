#pragma once
// The hypervolume indicator: the volume of the objective space that a set of loss vectors
// dominates and that `reference` bounds (every objective minimized; points not better than the
// reference in every objective add nothing). Computed exactly by slicing along the last
// objective (the HSO scheme of While, Hingston, Barone and Huband, IEEE TEC 2006): fine for the
// few objectives and the fronts of hundreds of points that a search has.
#include <vector>

#include "hpopt/pareto/front.hpp"

namespace hpopt::pareto {

double hypervolume(const std::vector<Losses>& points, const Losses& reference);

// The hypervolume of the first k points, for k = 1..n: how a search's front grew.
std::vector<double> hypervolume_by_count(const std::vector<Losses>& points, const Losses& reference);

}  // namespace hpopt::pareto
