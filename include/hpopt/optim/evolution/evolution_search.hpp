#pragma once
// Evolutionary search (the seed system's genetic algorithm): elitism, binary tournaments,
// heuristic crossover and Michalewicz's non-uniform mutation, on the unit cube; categoricals
// are inherited and switch choice with a probability that shrinks like the mutation step.
// Individuals rank by how far they trained, then by loss (see operators.hpp): one that early
// stopping stopped at its first rung ranks below any that went on. With several objectives they
// rank as NSGA-II ranks them: by non-dominated front, then crowding distance; the elites are the
// first of that order, and in steady state the last of it leaves when a result comes.
//
// Generational mode hands out a generation (the initial population, then the children that
// join the elites) and breeds the next one only when all of it is back. While stragglers run,
// idle groups get extra individuals, bred from the population as it stands, whose results
// compete for the next generation's elite places. Steady-state mode lets each result join the
// population at once (replacing the worst when it is better) and breeds each child from the
// population as it stands, so no group waits; its generation counts the results past the
// initial population in generations' worth of children.
#include <optional>

#include "hpopt/optim/evolution/operators.hpp"
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/optim/sobol_sequence.hpp"
#include "hpopt/optim/suggestion_history.hpp"

namespace hpopt::optim::evolution {

class EvolutionSearch : public Optimizer {
public:
    EvolutionSearch(space::Space space, EvolutionSettings settings, std::uint64_t seed);

    std::optional<Point> ask(const std::vector<Point>& pending) override;
    void tell(const Evaluation& evaluation) override;
    Json save() const override;
    void load(const Json& state) override;

    // The generation being evaluated (generational) or its equivalent (steady state).
    double generation() const;

private:
    struct Member {
        Point point;
        std::optional<Individual> told;  // once its result is back
    };

    std::optional<Point> ask_generational();
    std::optional<Point> ask_extra();
    static Json members_to_json(const std::vector<Member>& members);
    static std::vector<Member> members_from_json(const Json& json);
    std::optional<Point> ask_steady_state();
    std::optional<Point> new_point(bool initial);
    Point initial_point();
    double progress() const;
    void close_generation();
    void retell(const Individual& told);
    void tell_steady_state(const Individual& told);

    space::Space space_;
    EvolutionSettings settings_;
    Mode mode_;  // settings_.mode, generational when left to the groups
    std::vector<std::size_t> category_counts_;  // each gene's number of choices: 0 for a numeric one
    random::Rng rng_;
    SobolSequence initial_design_;
    SuggestionHistory history_;

    std::vector<Individual> population_;  // evaluated, breeding
    // Generational: the generation out for evaluation, how many of it were handed out.
    std::vector<Member> brood_;
    std::size_t handed_out_ = 0;
    std::vector<Member> extras_;  // handed out while the generation's stragglers ran
    int generation_ = 0;
    // Steady state: results received, initial points handed out.
    std::size_t told_ = 0;
    std::size_t initial_asked_ = 0;
};

}  // namespace hpopt::optim::evolution
