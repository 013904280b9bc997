#pragma once
// Independent uniform draws over the unit cube (so log dimensions are searched log-uniformly).
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/optim/suggestion_history.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim {

class RandomSearch : public Optimizer {
public:
    RandomSearch(space::Space space, std::uint64_t seed);

    std::optional<Point> ask(const std::vector<Point>& pending) override;
    void tell(const Evaluation&) override {}
    Json save() const override;
    void load(const Json& state) override;

private:
    space::Space space_;
    random::Rng rng_;
    SuggestionHistory history_;
};

}  // namespace hpopt::optim
