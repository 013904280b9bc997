#include "hpopt/optim/suggestion_history.hpp"

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

Json SuggestionHistory::save() const { return Json(points_); }

void SuggestionHistory::load(const Json& state) { points_ = state.get<std::set<space::Point>>(); }

}  // namespace hpopt::optim
