#include "hpopt/pareto/hypervolume.hpp"

#include <algorithm>

namespace hpopt::pareto {
namespace {

// The volume that `points` (each better than the reference in its first d objectives)
// dominate in those d objectives.
double sliced_volume(std::vector<Losses> points, const Losses& reference, std::size_t d) {
    if (points.empty()) return 0;
    const std::size_t last = d - 1;
    std::sort(points.begin(), points.end(), [&](const Losses& a, const Losses& b) { return a[last] < b[last]; });
    if (d == 1) return reference[0] - points.front()[0];
    double volume = 0;
    std::vector<Losses> slice;
    for (std::size_t i = 0; i < points.size(); ++i) {
        slice.push_back(points[i]);
        const double top = i + 1 < points.size() ? points[i + 1][last] : reference[last];
        if (top > points[i][last]) volume += (top - points[i][last]) * sliced_volume(slice, reference, last);
    }
    return volume;
}

bool inside(const Losses& point, const Losses& reference) {
    for (std::size_t j = 0; j < point.size(); ++j) {
        if (!(point[j] < reference[j])) return false;
    }
    return true;
}

}  // namespace

double hypervolume(const std::vector<Losses>& points, const Losses& reference) {
    std::vector<Losses> within;
    for (const Losses& point : points) {
        if (inside(point, reference)) within.push_back(point);
    }
    std::vector<Losses> front;
    for (std::size_t i : nondominated(within)) front.push_back(within[i]);
    return sliced_volume(std::move(front), reference, reference.size());
}

std::vector<double> hypervolume_by_count(const std::vector<Losses>& points, const Losses& reference) {
    std::vector<double> volumes;
    std::vector<Losses> front;
    double volume = 0;
    for (const Losses& point : points) {
        const bool counts = inside(point, reference) &&
                            std::none_of(front.begin(), front.end(), [&](const Losses& f) { return dominates(f, point) || f == point; });
        if (counts) {
            front.erase(std::remove_if(front.begin(), front.end(), [&](const Losses& f) { return dominates(point, f); }), front.end());
            front.push_back(point);
            volume = sliced_volume(front, reference, reference.size());
        }
        volumes.push_back(volume);
    }
    return volumes;
}

}  // namespace hpopt::pareto
