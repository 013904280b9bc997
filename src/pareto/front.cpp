#include "hpopt/pareto/front.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace hpopt::pareto {

bool dominates(const Losses& a, const Losses& b) {
    bool better = false;
    for (std::size_t j = 0; j < a.size(); ++j) {
        if (a[j] > b[j]) return false;
        if (a[j] < b[j]) better = true;
    }
    return better;
}

// Deb et al.'s fast non-dominated sort: each point's count of dominators, and whom it dominates.
std::vector<std::vector<std::size_t>> nondominated_fronts(const std::vector<Losses>& points) {
    const std::size_t n = points.size();
    std::vector<std::vector<std::size_t>> dominated_by(n);
    std::vector<std::size_t> dominators(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = i + 1; k < n; ++k) {
            if (dominates(points[i], points[k])) {
                dominated_by[i].push_back(k);
                ++dominators[k];
            } else if (dominates(points[k], points[i])) {
                dominated_by[k].push_back(i);
                ++dominators[i];
            }
        }
    }
    std::vector<std::vector<std::size_t>> fronts;
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < n; ++i) {
        if (dominators[i] == 0) front.push_back(i);
    }
    while (!front.empty()) {
        std::vector<std::size_t> next;
        for (std::size_t i : front) {
            for (std::size_t k : dominated_by[i]) {
                if (--dominators[k] == 0) next.push_back(k);
            }
        }
        std::sort(next.begin(), next.end());
        fronts.push_back(std::move(front));
        front = std::move(next);
    }
    return fronts;
}

std::vector<double> crowding_distances(const std::vector<Losses>& points, const std::vector<std::size_t>& front) {
    const std::size_t n = front.size();
    std::vector<double> distance(n, 0.0);
    if (n == 0) return distance;
    constexpr double infinite = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> order(n);
    for (std::size_t j = 0; j < points[front[0]].size(); ++j) {
        std::iota(order.begin(), order.end(), 0);
        const auto value = [&](std::size_t member) { return points[front[member]][j]; };
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
        distance[order.front()] = distance[order.back()] = infinite;
        const double range = value(order.back()) - value(order.front());
        if (!(range > 0)) continue;
        for (std::size_t r = 1; r + 1 < n; ++r) distance[order[r]] += (value(order[r + 1]) - value(order[r - 1])) / range;
    }
    return distance;
}

std::vector<std::size_t> nsga2_order(const std::vector<Losses>& points) {
    std::vector<std::size_t> order;
    for (const auto& front : nondominated_fronts(points)) {
        const std::vector<double> distance = crowding_distances(points, front);
        std::vector<std::size_t> members(front.size());
        std::iota(members.begin(), members.end(), 0);
        std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) { return distance[a] > distance[b]; });
        for (std::size_t m : members) order.push_back(front[m]);
    }
    return order;
}

std::vector<std::size_t> nondominated(const std::vector<Losses>& points) {
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const bool beaten = std::any_of(points.begin(), points.end(), [&](const Losses& other) { return dominates(other, points[i]); });
        const bool repeated = std::any_of(kept.begin(), kept.end(), [&](std::size_t k) { return points[k] == points[i]; });
        if (!beaten && !repeated) kept.push_back(i);
    }
    return kept;
}

}  // namespace hpopt::pareto
