#include "hpopt/random/rng.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace hpopt::random {
namespace {

// SplitMix64's finalizer (Steele, Lea and Flood 2014): spreads nearby inputs far apart.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) { return mix(mix(seed) ^ stream); }

double Rng::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

double Rng::normal() {
    // Box-Muller without a cached second value, so the state is the engine alone.
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::size_t Rng::index(std::size_t count) {
    if (count == 0) throw std::invalid_argument("Rng::index: empty range");
    return std::min(count - 1, static_cast<std::size_t>(uniform() * static_cast<double>(count)));
}

std::string Rng::save() const {
    std::ostringstream out;
    out << engine_;
    return out.str();
}

void Rng::load(const std::string& state) {
    std::istringstream in(state);
    std::mt19937_64 engine;
    in >> engine;
    if (!in) throw std::invalid_argument("malformed random generator state");
    engine_ = engine;
}

}  // namespace hpopt::random
