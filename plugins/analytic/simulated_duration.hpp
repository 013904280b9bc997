#pragma once
// How long an analytic trial pretends to train: a fixed number of seconds, or a draw from a
// distribution, so that schedulers can be tested with realistic spreads of trial times.
#include <string>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::analytic {

struct SimulatedDuration {
    enum class Kind { fixed, uniform, lognormal, exponential };
    Kind kind = Kind::fixed;
    double a = 0;  // fixed: seconds; uniform: low; lognormal: median; exponential: mean
    double b = 0;  // uniform: high; lognormal: sigma

    double draw(random::Rng& rng) const;
};

// Reads `key` of `reader`: a number of seconds, or {"distribution": "uniform", "low", "high"},
// {"distribution": "lognormal", "median", "sigma"}, {"distribution": "exponential", "mean"}.
SimulatedDuration read_simulated_duration(config::ObjectReader& reader, const std::string& key);

}  // namespace hpopt::analytic
