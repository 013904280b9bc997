#pragma once
// The Sobol low-discrepancy sequence (Joe and Kuo's direction numbers, through Boost.Random),
// starting at the origin, optionally scrambled by a random digital shift: each coordinate's
// bits are XORed with a fixed random mask, which keeps the sequence's net properties.
#include <cstdint>
#include <vector>

#include <boost/random/sobol.hpp>

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

private:
    std::size_t dimensions_;
    std::vector<std::uint64_t> shift_;
    boost::random::sobol engine_;  // yields the points after the origin
    std::uint64_t index_ = 0;
};

}  // namespace hpopt::optim
