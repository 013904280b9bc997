#pragma once
// Categorical coordinates beside CMA-ES's Gaussian: each has its own probabilities over its
// choices, sampled independently and moved each generation towards the choices of the mu best
// samples (with their recombination weights), as population-based incremental learning does.
// A margin keeps every choice's probability at least 1 / (n lambda), so that no choice is lost
// for good (the categorical margin of CatCMA, Hamano et al. 2024).
#include <cstddef>
#include <vector>

#include <Eigen/Dense>

#include "hpopt/config/json.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim::cmaes {

using Choices = std::vector<std::size_t>;  // one choice per categorical coordinate

class CategoricalDistribution {
public:
    CategoricalDistribution() = default;
    // Uniform over each coordinate's `sizes[i]` choices; `floor` is the margin.
    CategoricalDistribution(const std::vector<std::size_t>& sizes, double floor);

    Choices sample(random::Rng& rng) const;
    // `best`: the choices of the mu best samples, best first, weighted by `weights`.
    void update(const std::vector<Choices>& best, const Eigen::VectorXd& weights);
    const std::vector<std::vector<double>>& probabilities() const { return probabilities_; }

    Json save() const;
    void load(const Json& state);

private:
    std::vector<std::vector<double>> probabilities_;
    double floor_ = 0;
};

}  // namespace hpopt::optim::cmaes
