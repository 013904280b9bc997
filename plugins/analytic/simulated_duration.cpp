#include "simulated_duration.hpp"

#include <cmath>

namespace hpopt::analytic {
namespace {

std::optional<double> non_negative(config::ObjectReader& reader, const std::string& key) {
    reader.require(key);
    const auto value = reader.number(key);
    if (value && !(*value >= 0)) reader.report(key, "must be >= 0");
    return value;
}

SimulatedDuration read_distribution(config::ObjectReader& reader) {
    using Kind = SimulatedDuration::Kind;
    reader.require("distribution");
    const auto name = reader.string("distribution");
    SimulatedDuration duration;
    if (name == "uniform") {
        const auto low = non_negative(reader, "low"), high = non_negative(reader, "high");
        if (low && high && *high < *low) reader.report("high", "must be >= low");
        duration = {Kind::uniform, low.value_or(0), high.value_or(0)};
    } else if (name == "lognormal") {
        duration = {Kind::lognormal, non_negative(reader, "median").value_or(0), non_negative(reader, "sigma").value_or(0)};
    } else if (name == "exponential") {
        duration = {Kind::exponential, non_negative(reader, "mean").value_or(0), 0};
    } else if (name == "fixed") {
        duration = {Kind::fixed, non_negative(reader, "value").value_or(0), 0};
    } else if (name) {
        reader.report("distribution", "expected one of fixed, uniform, lognormal, exponential");
    }
    reader.finish();
    return duration;
}

}  // namespace

double SimulatedDuration::draw(random::Rng& rng) const {
    switch (kind) {
        case Kind::uniform: return rng.uniform(a, b);
        case Kind::lognormal: return a * std::exp(b * rng.normal());
        case Kind::exponential: return -a * std::log(1.0 - rng.uniform());
        case Kind::fixed: break;
    }
    return a;
}

SimulatedDuration read_simulated_duration(config::ObjectReader& reader, const std::string& key) {
    const Json* value = reader.any(key);
    if (!value) return {};
    if (value->is_object()) {
        config::ObjectReader distribution = *reader.object(key);
        return read_distribution(distribution);
    }
    return {SimulatedDuration::Kind::fixed, non_negative(reader, key).value_or(0), 0};
}

}  // namespace hpopt::analytic
