#pragma once
// The margin for integer coordinates (Hamano, Saito, Nomura and Shirakawa, "CMA-ES with
// Margin: Lower-Bounding Marginal Probability for Mixed-Integer Black-Box Optimization",
// GECCO 2022). An integer of k values is one of k bins of its unit coordinate; once sigma has
// shrunk below a bin's width, every sample rounds to the mean's integer and the search stalls
// there. The margin keeps the chance that a sample crosses to the nearest neighbouring bin at
// least alpha = 1 / (n lambda), by widening that coordinate's scale A: a simplification of the
// paper's correction that widens rather than moves the mean.
#include <cstddef>
#include <vector>

#include "hpopt/optim/cmaes/cma_distribution.hpp"

namespace hpopt::optim::cmaes {

// `bins[i]` is coordinate i's number of values: 0 for a real coordinate.
void apply_integer_margin(CmaDistribution& distribution, const std::vector<std::size_t>& bins);

// The margin's alpha for n coordinates and a population of lambda.
double margin_alpha(std::size_t n, int lambda);

}  // namespace hpopt::optim::cmaes
