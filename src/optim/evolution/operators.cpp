#include "hpopt/optim/evolution/operators.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hpopt/pareto/front.hpp"

namespace hpopt::optim::evolution {

std::size_t elite_count(std::size_t size, double elite_fraction) {
    if (size < 2) return size;
    const auto rounded = static_cast<std::size_t>(std::lround(elite_fraction * static_cast<double>(size)));
    return std::clamp<std::size_t>(rounded, 1, size - 1);
}

std::size_t tournament(const std::vector<Individual>& population, random::Rng& rng) {
    if (population.empty()) throw std::invalid_argument("tournament in an empty population");
    if (population.size() == 1) return 0;
    const std::size_t first = rng.index(population.size());
    std::size_t second = rng.index(population.size() - 1);
    if (second >= first) ++second;  // distinct from the first
    return fitter(population[second], population[first]) ? second : first;
}

double mutation_probability(const EvolutionSettings& settings, std::size_t genes) {
    return settings.mutation_probability.value_or(1.0 / static_cast<double>(std::max<std::size_t>(genes, 1)));
}

void several_objectives_defaults(EvolutionSettings& settings, bool population_given) {
    if (!population_given) settings.population = 16;
    if (!settings.mode) settings.mode = Mode::steady_state;
}

int generations_for_budget(const EvolutionSettings& settings, std::int64_t trials) {
    const auto population = static_cast<std::int64_t>(settings.population);
    const auto children = population - static_cast<std::int64_t>(elite_count(settings.population, settings.elite_fraction));
    return static_cast<int>(std::max<std::int64_t>(1, (trials - population + children - 1) / children));
}

double heuristic_crossover(double a, double b, double r) { return std::clamp(r * (a - b) + a, 0.0, 1.0); }

double blend_crossover(double a, double b, double r) { return a + r * (b - a); }

double nonuniform_mutation(double x, double progress, double b, double r1, double r2) {
    const double shrink = std::pow(1.0 - std::min(progress, 1.0), b);
    const double step = 1.0 - std::pow(r1, shrink);
    return std::clamp(x + step * (r2 > 0.5 ? 1.0 - x : 0.0 - x), 0.0, 1.0);
}

double categorical_switch_probability(double progress, double b) {
    const double s = std::pow(1.0 - std::min(progress, 1.0), b);
    return s / (1.0 + s);
}

std::vector<std::size_t> categorical_sizes(const space::Space& space) {
    std::vector<std::size_t> sizes;
    for (std::size_t i = 0; i < space.size(); ++i) {
        const auto* choices = std::get_if<space::Choices>(&space.coordinate(i).domain);
        sizes.push_back(choices ? choices->values.size() : 0);
    }
    return sizes;
}

double categorical_gene(double fitter, double other, std::size_t choices, double progress, double mutation,
                        const EvolutionSettings& settings, random::Rng& rng) {
    double gene = rng.uniform() < settings.fitter_parent_probability ? fitter : other;
    const bool switches = rng.uniform() < mutation &&
                          rng.uniform() < categorical_switch_probability(progress, settings.mutation_b);
    if (switches && choices > 1) {
        const auto current = std::min(choices - 1, static_cast<std::size_t>(gene * static_cast<double>(choices)));
        std::size_t next = rng.index(choices - 1);
        if (next >= current) ++next;
        gene = (static_cast<double>(next) + 0.5) / static_cast<double>(choices);
    }
    return gene;
}

// With several objectives, parents neither of which dominates the other give no direction of
// improvement: half their children extrapolate from the one NSGA-II ranks higher (the heuristic
// crossover), half lie between them. Extrapolating alone drives the genes that place a point
// along the front to their bounds (DTLZ2's hypervolume fell below random search's); blending
// alone seldom reaches optima on the bounds (ZDT's). See BENCHMARKS.md.
bool extrapolates(const Individual& fitter, const Individual& other, random::Rng& rng) {
    if (fitter.losses.empty() || other.losses.empty() || pareto::dominates(fitter.losses, other.losses)) return true;  // the other failed
    return rng.uniform() < 0.5;
}

space::Point breed(const std::vector<Individual>& population, const std::vector<std::size_t>& categorical,
                   double progress, const EvolutionSettings& settings, random::Rng& rng) {
    std::size_t a = tournament(population, rng);
    std::size_t b = tournament(population, rng);
    for (int retry = 0; retry < 8 && b == a && population.size() > 1; ++retry) b = tournament(population, rng);
    if (fitter(population[b], population[a])) std::swap(a, b);  // A is the fitter
    const bool directed = extrapolates(population[a], population[b], rng);
    const space::Point& fitter = population[a].point;
    const space::Point& other = population[b].point;

    space::Point child(fitter.size());
    const double mutation = mutation_probability(settings, child.size());
    for (std::size_t i = 0; i < child.size(); ++i) {
        if (categorical[i] > 0) {
            child[i] = categorical_gene(fitter[i], other[i], categorical[i], progress, mutation, settings, rng);
            continue;
        }
        child[i] = directed ? heuristic_crossover(fitter[i], other[i], rng.uniform()) : blend_crossover(fitter[i], other[i], rng.uniform());
        if (rng.uniform() < mutation) {
            const double r1 = rng.uniform(), r2 = rng.uniform();
            child[i] = nonuniform_mutation(child[i], progress, settings.mutation_b, r1, r2);
        }
    }
    return child;
}

}  // namespace hpopt::optim::evolution
