#pragma once
// Quasi-random search along a (scrambled) Sobol sequence: covers the space more evenly than
// independent draws, the classic space-filling design.
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/optim/sobol_sequence.hpp"
#include "hpopt/optim/suggestion_history.hpp"

namespace hpopt::optim {

class SobolSearch : public Optimizer {
public:
    SobolSearch(space::Space space, bool scramble, std::uint64_t seed);

    std::optional<Point> ask(const std::vector<Point>& pending) override;
    void tell(const Evaluation&) override {}
    Json save() const override;
    void load(const Json& state) override;

private:
    space::Space space_;
    SobolSequence sequence_;
    SuggestionHistory history_;
};

}  // namespace hpopt::optim
