#include "hpopt/optim/bayes/subset.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace hpopt::optim::bayes {

std::vector<std::size_t> choose_subset(const Eigen::MatrixXd& inputs, const std::vector<double>& losses,
                                       std::size_t budget) {
    const std::size_t n = losses.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (n <= budget) return order;

    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return losses[a] < losses[b]; });
    std::vector<std::size_t> chosen(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(budget / 2));
    std::vector<std::size_t> rest(order.begin() + static_cast<std::ptrdiff_t>(budget / 2), order.end());

    // Squared distance from each remaining point to the nearest chosen one.
    std::vector<double> nearest(rest.size(), std::numeric_limits<double>::infinity());
    const auto update = [&](std::size_t picked) {
        for (std::size_t i = 0; i < rest.size(); ++i) {
            nearest[i] = std::min(nearest[i], (inputs.col(rest[i]) - inputs.col(picked)).squaredNorm());
        }
    };
    for (std::size_t c : chosen) update(c);
    while (chosen.size() < budget) {
        const auto farthest = static_cast<std::size_t>(std::max_element(nearest.begin(), nearest.end()) - nearest.begin());
        chosen.push_back(rest[farthest]);
        nearest[farthest] = -1;  // never again
        update(rest[farthest]);
    }
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

std::vector<std::size_t> nearest_to_best(const Eigen::MatrixXd& inputs, const std::vector<double>& losses, std::size_t budget,
                                         const Eigen::VectorXd& length_scales) {
    const std::size_t n = losses.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (n <= budget) return order;
    const auto best = static_cast<Eigen::Index>(std::min_element(losses.begin(), losses.end()) - losses.begin());
    std::vector<double> distance(n);
    for (std::size_t i = 0; i < n; ++i) {
        distance[i] = ((inputs.col(static_cast<Eigen::Index>(i)) - inputs.col(best)).array() / length_scales.array()).matrix().squaredNorm();
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return distance[a] < distance[b]; });
    order.resize(budget);
    std::sort(order.begin(), order.end());
    return order;
}

}  // namespace hpopt::optim::bayes
