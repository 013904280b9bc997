#include "hpopt/optim/suggestion_history.hpp"

#include <cmath>

namespace hpopt::optim {

std::optional<space::Point> SuggestionHistory::next_new(const space::Space& space,
                                                        const std::function<space::Point()>& draw,
                                                        int max_attempts) {
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
        space::Point point = space.snap(draw());
        if (points_.insert(point).second) return point;
    }
    return std::nullopt;
}

bool SuggestionHistory::contains_near(const space::Point& snapped, double tolerance) const {
    if (snapped.empty()) return !points_.empty();
    // Points are ordered by their first coordinate first: scan only the slice near it.
    for (auto it = points_.lower_bound({snapped[0] - tolerance}); it != points_.end() && (*it)[0] <= snapped[0] + tolerance; ++it) {
        bool near = true;
        for (std::size_t i = 1; i < snapped.size() && near; ++i) near = std::fabs((*it)[i] - snapped[i]) <= tolerance;
        if (near) return true;
    }
    return false;
}

Json SuggestionHistory::save() const { return Json(points_); }

void SuggestionHistory::load(const Json& state) { points_ = state.get<std::set<space::Point>>(); }

}  // namespace hpopt::optim
