#pragma once
// The one random generator of hpopt. Every random choice draws from an Rng seeded from the
// spec's seed (through derive_seed), and its state saves to text, so a run can be replayed
// and an optimizer resumed exactly.
#include <cstdint>
#include <random>
#include <string>

namespace hpopt::random {

// A seed for an independent stream derived from the run's seed.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

// The streams of a run's seed, so that no two consumers draw the same numbers.
namespace stream {
constexpr std::uint64_t optimizer = 1;
constexpr std::uint64_t trials = 2;  // trial i draws from derive_seed(derive_seed(seed, trials), i)
constexpr std::uint64_t simulation = 3;  // hpopt simulate's trial times
}  // namespace stream

class Rng {
public:
    using result_type = std::uint64_t;
    static constexpr result_type min() { return std::mt19937_64::min(); }
    static constexpr result_type max() { return std::mt19937_64::max(); }

    explicit Rng(std::uint64_t seed = 0) : engine_(seed) {}

    result_type operator()() { return engine_(); }
    double uniform();                          // [0, 1), 53 random bits
    double uniform(double low, double high);   // [low, high)
    double normal();                           // standard normal
    std::size_t index(std::size_t count);      // [0, count)

    std::string save() const;
    void load(const std::string& state);  // throws std::invalid_argument on a malformed state

    bool operator==(const Rng& other) const { return engine_ == other.engine_; }

private:
    std::mt19937_64 engine_;
};

}  // namespace hpopt::random
