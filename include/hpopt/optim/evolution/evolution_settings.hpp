#pragma once
// The options of "optimizer": {"kind": "evolution", ...}.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace hpopt::optim::evolution {

enum class Mode {
    generational,  // breed a whole generation once all of the previous one is back
    steady_state,  // each result joins the population at once; each ask breeds one child
};

// Defaults chosen by benchmarks/evolution_defaults.py over Hartmann6, Ackley-10, Rastrigin-10 and
// Levy-10, in both modes (BENCHMARKS.md): a small population that breeds many generations, and
// Mühlenbein's one mutated gene per child on average.
struct EvolutionSettings {
    int population = 8;
    // G, the horizon of the mutation schedule; 0: as many generations as the trial budget
    // allows (see generations_for_budget), or 30 without a trial budget.
    int generations = 0;
    // None: by the number of groups (optim::resolve_for_groups): steady state with several, so
    // that no group waits for a generation's stragglers, generational alone.
    std::optional<Mode> mode;
    double elite_fraction = 0.2;    // kept unchanged from one generation to the next (at least one)
    double mutation_b = 3;          // b: how fast mutation steps shrink with the generation
    std::optional<double> mutation_probability;  // per gene; none: 1/d for d genes
    double fitter_parent_probability = 0.7;  // a categorical gene comes from the fitter parent
    bool sobol_initial = false;     // initial population from a Sobol sequence instead of at random
};

// With several objectives, a front needs more individuals than one best: population 16 unless
// the spec gives one, and steady state unless it gives a mode (chosen by
// benchmarks/multi_objective.py: generational NSGA-II fell below random search on DTLZ2).
void several_objectives_defaults(EvolutionSettings& settings, bool population_given);

// The chance that a gene mutates, of a chromosome of `genes` genes.
double mutation_probability(const EvolutionSettings& settings, std::size_t genes);

// The generations that `trials` trials make: the initial population, then population - elites
// children per generation.
int generations_for_budget(const EvolutionSettings& settings, std::int64_t trials);

}  // namespace hpopt::optim::evolution
