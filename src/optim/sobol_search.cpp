#include "hpopt/optim/sobol_search.hpp"

namespace hpopt::optim {

SobolSearch::SobolSearch(space::Space space, bool scramble, std::uint64_t seed)
    : space_(std::move(space)), sequence_(space_.size(), scramble, seed) {}

std::optional<Point> SobolSearch::ask(const std::vector<Point>&) {
    return history_.next_new(space_, [this] { return sequence_.next(); });
}

Json SobolSearch::save() const {
    return {{"kind", "sobol"}, {"sequence", sequence_.save()}, {"suggested", history_.save()}};
}

void SobolSearch::load(const Json& state) {
    sequence_.load(state.at("sequence"));
    history_.load(state.at("suggested"));
}

}  // namespace hpopt::optim
