#include "learning_curve.hpp"

#include <cmath>
#include <cstring>

#include "hpopt/random/rng.hpp"

namespace hpopt::analytic {

double LearningCurve::at(double final_value, std::int64_t epoch, std::int64_t epochs) const {
    if (epochs <= 1) return final_value;
    const double t = static_cast<double>(epoch - 1) / static_cast<double>(epochs - 1);
    const double floor = std::exp(-rate);
    return final_value + gap * (std::exp(-rate * t) - floor) / (1 - floor);
}

LearningCurve curve_of(const std::vector<double>& x, double curve_gap) {
    std::uint64_t seed = 0x5eed;
    for (double value : x) {
        std::uint64_t bits = 0;
        std::memcpy(&bits, &value, sizeof bits);
        seed = random::derive_seed(seed, bits);
    }
    random::Rng rng(seed);
    const double gap = curve_gap * (0.25 + 0.75 * rng.uniform());
    const double rate = 0.5 + 7.5 * rng.uniform();
    return {gap, rate};
}

}  // namespace hpopt::analytic
