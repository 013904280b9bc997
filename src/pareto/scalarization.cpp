#include "hpopt/pareto/scalarization.hpp"

#include <algorithm>
#include <cmath>

namespace hpopt::pareto {
namespace {

constexpr double rho = 0.05;

}  // namespace

// Normalized exponentials are uniform on the simplex.
std::vector<double> random_weights(std::size_t objectives, random::Rng& rng) {
    std::vector<double> weights(objectives);
    double sum = 0;
    for (double& w : weights) {
        w = -std::log(1.0 - rng.uniform());
        sum += w;
    }
    for (double& w : weights) w /= sum;
    return weights;
}

std::vector<Losses> normalized(const std::vector<Losses>& points) {
    std::vector<Losses> result = points;
    if (points.empty()) return result;
    for (std::size_t j = 0; j < points.front().size(); ++j) {
        const auto [low, high] = std::minmax_element(points.begin(), points.end(), [&](const Losses& a, const Losses& b) { return a[j] < b[j]; });
        const double min = (*low)[j], range = (*high)[j] - min;
        for (Losses& point : result) point[j] = range > 0 ? (point[j] - min) / range : 0.0;
    }
    return result;
}

double augmented_chebyshev(const Losses& normalized_losses, const std::vector<double>& weights) {
    double largest = 0, sum = 0;
    for (std::size_t j = 0; j < weights.size(); ++j) {
        const double weighted = weights[j] * normalized_losses[j];
        largest = std::max(largest, weighted);
        sum += weighted;
    }
    return largest + rho * sum;
}

}  // namespace hpopt::pareto
