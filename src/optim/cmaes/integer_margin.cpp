#include "hpopt/optim/cmaes/integer_margin.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

namespace hpopt::optim::cmaes {
namespace {

// How far coordinate `mean` of a `bins`-bin integer lies from its bin's nearest inner edge (one
// with a neighbouring bin beyond it).
double distance_to_neighbour(double mean, std::size_t bins) {
    const double k = static_cast<double>(bins);
    const double bin = std::clamp(std::floor(mean * k), 0.0, k - 1);
    double distance = std::numeric_limits<double>::infinity();
    if (bin > 0) distance = std::min(distance, mean - bin / k);
    if (bin < k - 1) distance = std::min(distance, (bin + 1) / k - mean);
    return std::max(distance, 0.0);
}

}  // namespace

double margin_alpha(std::size_t n, int lambda) { return 1.0 / (static_cast<double>(n) * lambda); }

void apply_integer_margin(CmaDistribution& distribution, const std::vector<std::size_t>& bins) {
    const double alpha = margin_alpha(bins.size(), distribution.lambda());
    const double z = boost::math::quantile(boost::math::normal(), 1 - alpha);
    Eigen::VectorXd& scale = distribution.margin_scale();
    const Eigen::VectorXd deviations = distribution.coordinate_deviations().cwiseQuotient(scale);  // without A
    for (std::size_t i = 0; i < bins.size(); ++i) {
        if (bins[i] < 2) continue;
        const auto j = static_cast<Eigen::Index>(i);
        const double needed = distance_to_neighbour(distribution.mean()[j], bins[i]) / (z * deviations[j]);
        scale[j] = std::max(scale[j], needed);
    }
}

}  // namespace hpopt::optim::cmaes
