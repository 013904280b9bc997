#include "hpopt/optim/settings.hpp"

#include "hpopt/optim/random_search.hpp"
#include "hpopt/optim/sobol_search.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim {
namespace {

const std::vector<std::string> kinds = {"random", "sobol"};

std::string known_kinds() {
    std::string text;
    for (const auto& kind : kinds) text += (text.empty() ? "" : ", ") + kind;
    return text;
}

SobolSettings read_sobol(config::ObjectReader& reader, const space::Space* space) {
    SobolSettings settings;
    settings.scramble = reader.boolean_or("scramble", settings.scramble);
    if (space && space->size() > SobolSequence::max_dimensions) {
        reader.report("kind", "sobol supports at most " + std::to_string(SobolSequence::max_dimensions) +
                                  " searched dimensions; this space has " + std::to_string(space->size()));
    }
    return settings;
}

}  // namespace

Settings read_settings(config::ObjectReader& reader, const space::Space* space) {
    reader.require("kind");
    const auto kind = reader.string("kind");
    Settings settings;
    if (kind == "sobol") {
        settings = read_sobol(reader, space);
    } else if (kind && *kind != "random") {
        std::string message = "unknown optimizer; expected one of " + known_kinds();
        if (const auto hint = config::closest_match(*kind, kinds)) message = "unknown optimizer (did you mean \"" + *hint + "\"?)";
        reader.report("kind", message);
    }
    reader.finish();
    return settings;
}

// `kinds` lists the names in the order of Settings' alternatives.
std::string kind_name(const Settings& settings) { return kinds.at(settings.index()); }

std::unique_ptr<Optimizer> make_optimizer(const Settings& settings, const space::Space& space, std::uint64_t run_seed) {
    const std::uint64_t seed = random::derive_seed(run_seed, random::stream::optimizer);
    if (const auto* sobol = std::get_if<SobolSettings>(&settings)) {
        return std::make_unique<SobolSearch>(space, sobol->scramble, seed);
    }
    return std::make_unique<RandomSearch>(space, seed);
}

}  // namespace hpopt::optim
