#include "hpopt/optim/settings.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "hpopt/optim/bayes/bayes_search.hpp"
#include "hpopt/optim/cmaes/cmaes_search.hpp"
#include "hpopt/optim/evolution/evolution_search.hpp"
#include "hpopt/optim/random_search.hpp"
#include "hpopt/optim/sobol_search.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim {
namespace {

const std::vector<std::string> kinds = {"random", "sobol", "bayes", "evolution", "cmaes"};  // in the order of Settings' alternatives

SobolSettings read_sobol(config::ObjectReader& reader, const space::Space* space) {
    SobolSettings settings;
    settings.scramble = reader.boolean_or("scramble", settings.scramble);
    if (space && space->size() > SobolSequence::max_dimensions) {
        reader.report("kind", "sobol supports at most " + std::to_string(SobolSequence::max_dimensions) +
                                  " searched dimensions; this space has " + std::to_string(space->size()));
    }
    return settings;
}

// Reads `key` as one of `names`, mapped to `values`.
template <class T>
std::optional<T> read_choice(config::ObjectReader& reader, const std::string& key, const std::vector<std::string>& names,
                             const std::vector<T>& values) {
    const auto index = reader.choice(key, names);
    if (!index) return std::nullopt;
    return values[*index];
}

bayes::BayesSettings read_bayes(config::ObjectReader& reader) {
    using bayes::Acquisition;
    using bayes::PendingStrategy;
    bayes::BayesSettings settings;
    settings.initial_points = static_cast<int>(reader.integer_or("initial_points", settings.initial_points));
    if (settings.initial_points < 1) reader.report("initial_points", "must be >= 1");
    if (const auto acquisition = read_choice<std::optional<Acquisition>>(
            reader, "acquisition", {"ei", "pi", "lcb", "hedge"},
            {Acquisition::expected_improvement, Acquisition::probability_of_improvement,
             Acquisition::lower_confidence_bound, std::nullopt})) {
        settings.acquisition = *acquisition;
    }
    settings.parameters.xi = reader.number_or("xi", settings.parameters.xi);
    if (!(settings.parameters.xi >= 0)) reader.report("xi", "must be >= 0");
    settings.parameters.kappa = reader.number_or("kappa", settings.parameters.kappa);
    if (!(settings.parameters.kappa >= 0)) reader.report("kappa", "must be >= 0");
    settings.pending = read_choice<PendingStrategy>(
                           reader, "pending",
                           {"kriging_believer", "constant_liar_min", "constant_liar_mean", "constant_liar_max", "randomized_lcb"},
                           {PendingStrategy::kriging_believer, PendingStrategy::constant_liar_min,
                            PendingStrategy::constant_liar_mean, PendingStrategy::constant_liar_max,
                            PendingStrategy::randomized_lcb})
                           .value_or(settings.pending);
    return settings;
}

// A number in [low, high] under `key`, or the fallback when the key is left out.
double read_fraction(config::ObjectReader& reader, const std::string& key, double fallback, double low, double high) {
    const double value = reader.number_or(key, fallback);
    if (!(value >= low && value <= high)) reader.report(key, fmt::format("must be in [{}, {}]", low, high));
    return value;
}

evolution::EvolutionSettings read_evolution(config::ObjectReader& reader) {
    using evolution::Mode;
    evolution::EvolutionSettings settings;
    settings.population = static_cast<int>(reader.integer_or("population", settings.population));
    if (settings.population < 2) reader.report("population", "must be >= 2");
    settings.generations = static_cast<int>(reader.integer_or("generations", settings.generations));
    if (reader.has("generations") && settings.generations < 1) reader.report("generations", "must be >= 1");
    settings.mode = read_choice<Mode>(reader, "mode", {"generational", "steady_state"}, {Mode::generational, Mode::steady_state});
    settings.elite_fraction = read_fraction(reader, "elite_fraction", settings.elite_fraction, 0, 1);
    settings.mutation_b = reader.number_or("mutation_b", settings.mutation_b);
    if (!(settings.mutation_b > 0)) reader.report("mutation_b", "must be > 0");
    if (reader.has("mutation_probability")) settings.mutation_probability = read_fraction(reader, "mutation_probability", 0, 0, 1);
    settings.fitter_parent_probability =
        read_fraction(reader, "fitter_parent_probability", settings.fitter_parent_probability, 0, 1);
    settings.sobol_initial = read_choice<bool>(reader, "initial", {"random", "sobol"}, {false, true}).value_or(false);
    return settings;
}

cmaes::CmaesSettings read_cmaes(config::ObjectReader& reader) {
    cmaes::CmaesSettings settings;
    settings.population = static_cast<int>(reader.integer_or("population", settings.population));
    if (reader.has("population") && settings.population < 2) reader.report("population", "must be >= 2");
    settings.sigma0 = reader.number_or("sigma0", settings.sigma0);
    if (!(settings.sigma0 > 0 && settings.sigma0 <= 1)) reader.report("sigma0", "must be in (0, 1] (a share of each range)");
    settings.restarts = read_choice<cmaes::Restarts>(reader, "restarts", {"none", "ipop"}, {cmaes::Restarts::none, cmaes::Restarts::ipop})
                            .value_or(settings.restarts);
    return settings;
}

}  // namespace

Settings read_settings(config::ObjectReader& reader, const space::Space* space) {
    reader.require("kind");
    const auto kind = reader.string("kind");
    Settings settings;
    if (kind == "sobol") {
        settings = read_sobol(reader, space);
    } else if (kind == "bayes") {
        settings = read_bayes(reader);
    } else if (kind == "evolution") {
        settings = read_evolution(reader);
    } else if (kind == "cmaes") {
        settings = read_cmaes(reader);
    } else if (kind && *kind != "random") {
        std::string message = fmt::format("unknown optimizer; expected one of {}", fmt::join(kinds, ", "));
        if (const auto hint = config::closest_match(*kind, kinds)) message = "unknown optimizer (did you mean \"" + *hint + "\"?)";
        reader.report("kind", message);
    }
    reader.finish();
    return settings;
}

// `kinds` lists the names in the order of Settings' alternatives.
std::string kind_name(const Settings& settings) { return kinds.at(settings.index()); }

void resolve_for_groups(Settings& settings, int groups) {
    auto* evolution = std::get_if<evolution::EvolutionSettings>(&settings);
    if (evolution && !evolution->mode) evolution->mode = groups > 1 ? evolution::Mode::steady_state : evolution::Mode::generational;
}

std::unique_ptr<Optimizer> make_optimizer(const Settings& settings, const space::Space& space, std::uint64_t run_seed) {
    const std::uint64_t seed = random::derive_seed(run_seed, random::stream::optimizer);
    if (const auto* sobol = std::get_if<SobolSettings>(&settings)) {
        return std::make_unique<SobolSearch>(space, sobol->scramble, seed);
    }
    if (const auto* bayes = std::get_if<bayes::BayesSettings>(&settings)) {
        return std::make_unique<bayes::BayesSearch>(space, *bayes, seed);
    }
    if (const auto* evolution = std::get_if<evolution::EvolutionSettings>(&settings)) {
        return std::make_unique<evolution::EvolutionSearch>(space, *evolution, seed);
    }
    if (const auto* cmaes = std::get_if<cmaes::CmaesSettings>(&settings)) {
        return std::make_unique<cmaes::CmaesSearch>(space, *cmaes, seed);
    }
    return std::make_unique<RandomSearch>(space, seed);
}

}  // namespace hpopt::optim
