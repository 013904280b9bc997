#pragma once
// The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers, through Boost.Random),
// starting at the origin, optionally scrambled as scipy's qmc.Sobol does: a random linear
// matrix scramble (Matousek 1998) followed by a random digital shift, per dimension. Both keep
// the sequence's net properties while removing its deterministic patterns.
#include <array>
#include <cstdint>
#include <vector>

#include <boost/random/sobol.hpp>

#include "hpopt/config/json.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::optim {

class SobolSequence {
public:
    static constexpr std::size_t max_dimensions = boost::random::default_sobol_table::max_dimension;

    // No shift when `scramble` is false: the textbook sequence 0, 1/2, 3/4, 1/4, ...
    SobolSequence(std::size_t dimensions, bool scramble, std::uint64_t seed);

    std::vector<double> next();
    std::uint64_t index() const { return index_; }  // points drawn so far
    void skip_to(std::uint64_t index);

    // The position and the scramble.
    Json save() const;
    void load(const Json& state);

private:
    void draw_scramble(bool scramble, std::uint64_t seed);
    std::uint64_t scramble(std::size_t dimension, std::uint64_t bits) const;

    std::size_t dimensions_;
    bool scrambled_ = false;
    std::uint64_t seed_ = 0;
    // Per dimension (none when not scrambled): the scrambling matrix as lookup tables, one per
    // 4-bit group of the input, then a shift XORed to the result.
    using NibbleTable = std::array<std::array<std::uint64_t, 16>, 16>;
    std::vector<NibbleTable> nibble_tables_;
    std::vector<std::uint64_t> shift_;
    boost::random::sobol engine_;  // yields the points after the origin
    std::uint64_t index_ = 0;
};

}  // namespace hpopt::optim
