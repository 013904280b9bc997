#pragma once
// ParEGO's random scalarizations (Knowles, "ParEGO: a hybrid algorithm with on-line landscape
// approximation for expensive multiobjective optimization problems", IEEE TEC 2006): the
// objectives, normalized to [0, 1] over the points seen, weighted by a vector drawn afresh for
// each suggestion, are folded into one loss by the augmented Chebyshev function, whose minima
// are Pareto-optimal and reach every part of the front as the weights vary.
#include <vector>

#include "hpopt/pareto/front.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::pareto {

// Weights drawn uniformly from the simplex (non-negative, summing to 1).
std::vector<double> random_weights(std::size_t objectives, random::Rng& rng);

// Each objective of each point mapped to [0, 1] by its smallest and largest value among them
// (an objective that does not vary maps to 0).
std::vector<Losses> normalized(const std::vector<Losses>& points);

// max_j w_j f_j + rho * sum_j w_j f_j, rho = 0.05 as in ParEGO.
double augmented_chebyshev(const Losses& normalized_losses, const std::vector<double>& weights);

}  // namespace hpopt::pareto
