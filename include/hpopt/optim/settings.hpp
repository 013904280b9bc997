#pragma once
// The spec's "optimizer" object: which algorithm, with its options, and the factory that
// builds it.
#include <memory>
#include <string>
#include <variant>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/optim/bayes/bayes_settings.hpp"
#include "hpopt/optim/cmaes/cmaes_settings.hpp"
#include "hpopt/optim/evolution/evolution_settings.hpp"
#include "hpopt/optim/optimizer.hpp"

namespace hpopt::optim {

struct RandomSettings {};

struct SobolSettings {
    bool scramble = true;
};

using Settings =
    std::variant<RandomSettings, SobolSettings, bayes::BayesSettings, evolution::EvolutionSettings, cmaes::CmaesSettings>;

// Reads {"kind": ..., options}. `space` is null when the spec's space is itself invalid;
// the checks that need it are then skipped.
Settings read_settings(config::ObjectReader& reader, const space::Space* space);

std::string kind_name(const Settings& settings);

// The defaults that depend on how many groups the search has: the evolutionary search's mode.
// `groups` is the spec's (not what a resumed job regroups to), so that a resume replays alike.
void resolve_for_groups(Settings& settings, int groups);

// `run_seed` is the spec's seed; the optimizer draws from its own stream of it.
std::unique_ptr<Optimizer> make_optimizer(const Settings& settings, const space::Space& space, std::uint64_t run_seed);

}  // namespace hpopt::optim
