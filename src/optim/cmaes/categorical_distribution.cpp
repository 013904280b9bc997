#include "hpopt/optim/cmaes/categorical_distribution.hpp"

#include <algorithm>
#include <numeric>

namespace hpopt::optim::cmaes {
namespace {

// How far each generation moves the probabilities towards its best samples' choices.
constexpr double learning_rate = 0.3;

// Raises every probability to at least `floor` and takes the excess from those above it, in
// proportion, so that they still sum to 1.
void apply_floor(std::vector<double>& probabilities, double floor) {
    double raised = 0, above = 0;
    for (double& p : probabilities) {
        if (p < floor) {
            raised += floor - p;
            p = floor;
        } else {
            above += p - floor;
        }
    }
    if (raised == 0 || above == 0) return;
    for (double& p : probabilities) {
        if (p > floor) p -= raised * (p - floor) / above;
    }
}

}  // namespace

CategoricalDistribution::CategoricalDistribution(const std::vector<std::size_t>& sizes, double floor) : floor_(floor) {
    for (const std::size_t size : sizes) {
        probabilities_.emplace_back(size, 1.0 / static_cast<double>(size));
        floor_ = std::min(floor_, 1.0 / static_cast<double>(size));
    }
}

Choices CategoricalDistribution::sample(random::Rng& rng) const {
    Choices choices;
    for (const auto& p : probabilities_) {
        const double u = rng.uniform();
        double cumulative = 0;
        std::size_t choice = 0;
        while (choice + 1 < p.size() && (cumulative += p[choice]) <= u) ++choice;
        choices.push_back(choice);
    }
    return choices;
}

void CategoricalDistribution::update(const std::vector<Choices>& best, const Eigen::VectorXd& weights) {
    const double total = weights.head(static_cast<Eigen::Index>(best.size())).sum();
    for (std::size_t i = 0; i < probabilities_.size(); ++i) {
        std::vector<double> target(probabilities_[i].size(), 0.0);
        for (std::size_t b = 0; b < best.size(); ++b) target[best[b][i]] += weights[static_cast<Eigen::Index>(b)] / total;
        for (std::size_t c = 0; c < target.size(); ++c) probabilities_[i][c] += learning_rate * (target[c] - probabilities_[i][c]);
        apply_floor(probabilities_[i], floor_);
    }
}

Json CategoricalDistribution::save() const { return {{"probabilities", probabilities_}, {"floor", floor_}}; }

void CategoricalDistribution::load(const Json& state) {
    probabilities_ = state.at("probabilities").get<std::vector<std::vector<double>>>();
    floor_ = state.at("floor").get<double>();
}

}  // namespace hpopt::optim::cmaes
