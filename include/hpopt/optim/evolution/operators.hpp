#pragma once
// The genetic operators of the evolutionary search, on chromosomes that are points of the unit
// cube (one gene per searched dimension, so log dimensions evolve in log space and ints are
// rounded when decoded). Individuals rank as optim::fitter says.
#include <vector>

#include "hpopt/optim/evolution/evolution_settings.hpp"
#include "hpopt/optim/individual.hpp"
#include "hpopt/random/rng.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::optim::evolution {

// How many of a population of `size` (>= 2) are kept unchanged: the fraction, rounded, at
// least one and at most size - 1, so that every generation has a child.
std::size_t elite_count(std::size_t size, double elite_fraction);

// Binary tournament: two distinct individuals drawn at random, the fitter wins (its index).
std::size_t tournament(const std::vector<Individual>& population, random::Rng& rng);

// Heuristic crossover with A fitter than B: r (a - b) + a, clamped to [0, 1].
double heuristic_crossover(double a, double b, double r);
// A point between a and b: a + r (b - a). With several objectives, for parents neither of which
// dominates the other: there is no direction of improvement to extrapolate along.
double blend_crossover(double a, double b, double r);

// Michalewicz's non-uniform mutation in generation g of G (progress = g / G, capped at 1):
// m = (1 - r1^((1 - progress)^b)) * (1 - x if r2 > 0.5 else 0 - x); returns x + m.
double nonuniform_mutation(double x, double progress, double b, double r1, double r2);

// The expected size of a mutation step as a fraction of the distance to the bound,
// E[1 - r1^s] = s / (1 + s) with s = (1 - progress)^b: 1/2 at the start, 0 at the horizon.
// A categorical gene switches to another choice with this probability.
double categorical_switch_probability(double progress, double b);

// A categorical gene of `choices` choices (genes are bin centres): the fitter parent's with
// `fitter_parent_probability`, else the other's, then, with the probability `mutation` times
// categorical_switch_probability, another choice drawn uniformly.
double categorical_gene(double fitter, double other, std::size_t choices, double progress, double mutation,
                        const EvolutionSettings& settings, random::Rng& rng);

// The number of choices of each gene: 0 for a numeric one.
std::vector<std::size_t> categorical_sizes(const space::Space& space);

// One child bred from the population: two parents by tournament (distinct when the population
// allows), heuristic crossover and non-uniform mutation of numeric genes; categorical genes are
// inherited (from the fitter parent with `fitter_parent_probability`) and may switch choice.
space::Point breed(const std::vector<Individual>& population, const std::vector<std::size_t>& categorical,
                   double progress, const EvolutionSettings& settings, random::Rng& rng);

}  // namespace hpopt::optim::evolution
