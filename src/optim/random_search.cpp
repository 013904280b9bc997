#include "hpopt/optim/random_search.hpp"

namespace hpopt::optim {

RandomSearch::RandomSearch(space::Space space, std::uint64_t seed) : space_(std::move(space)), rng_(seed) {}

std::optional<Point> RandomSearch::ask(const std::vector<Point>&) {
    return history_.next_new(space_, [this] {
        Point point(space_.size());
        for (double& u : point) u = rng_.uniform();
        return point;
    });
}

Json RandomSearch::save() const { return {{"kind", "random"}, {"rng", rng_.save()}, {"suggested", history_.save()}}; }

void RandomSearch::load(const Json& state) {
    rng_.load(state.at("rng").get<std::string>());
    history_.load(state.at("suggested"));
}

}  // namespace hpopt::optim
