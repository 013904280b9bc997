#pragma once
// The points an optimizer has suggested, so that it never suggests one twice. Points are
// compared after space::Space::snap, that is by the parameters they decode to.
#include <functional>
#include <optional>
#include <set>

#include "hpopt/config/json.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::optim {

class SuggestionHistory {
public:
    // Draws candidates until one decodes to parameters not suggested before, records it and
    // returns its snapped point; nullopt after `max_attempts` candidates that were all
    // suggested before, which means the space is (nearly) exhausted.
    std::optional<space::Point> next_new(const space::Space& space, const std::function<space::Point()>& draw,
                                         int max_attempts = 1000);

    // Records a snapped point; false if it was there already.
    bool insert(const space::Point& snapped) { return points_.insert(snapped).second; }
    std::size_t size() const { return points_.size(); }
    // Whether a point lies within `tolerance` of `snapped` in every coordinate.
    bool contains_near(const space::Point& snapped, double tolerance) const;

    Json save() const;
    void load(const Json& state);

private:
    std::set<space::Point> points_;
};

}  // namespace hpopt::optim
