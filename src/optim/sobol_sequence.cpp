#include "hpopt/optim/sobol_sequence.hpp"

namespace hpopt::optim {
namespace {

double to_unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// Row k of a random lower-triangular matrix over the digits of a 64-bit fraction: output
// digit k (k = 0 the most significant) is the parity of input digits 0..k picked by the row,
// digit k itself always among them, so the matrix is invertible.
std::vector<std::uint64_t> random_lower_triangular(random::Rng& rng) {
    std::vector<std::uint64_t> rows(64);
    for (int k = 0; k < 64; ++k) {
        const std::uint64_t diagonal = std::uint64_t{1} << (63 - k);
        const std::uint64_t above = k == 0 ? 0 : ~std::uint64_t{0} << (64 - k);
        rows[k] = diagonal | (rng() & above);
    }
    return rows;
}

}  // namespace

SobolSequence::SobolSequence(std::size_t dimensions, bool scramble, std::uint64_t seed)
    : dimensions_(dimensions), engine_(dimensions) {
    draw_scramble(scramble, seed);
}

void SobolSequence::draw_scramble(bool scramble, std::uint64_t seed) {
    scrambled_ = scramble;
    seed_ = seed;
    matrix_.clear();
    shift_.assign(dimensions_, 0);
    if (!scramble) return;
    random::Rng rng(seed);
    for (std::size_t d = 0; d < dimensions_; ++d) {
        matrix_.push_back(random_lower_triangular(rng));
        shift_[d] = rng();
    }
}

std::uint64_t SobolSequence::scramble(std::size_t dimension, std::uint64_t bits) const {
    if (matrix_.empty()) return bits;
    std::uint64_t scrambled = 0;
    for (int k = 0; k < 64; ++k) {
        const auto parity = static_cast<std::uint64_t>(__builtin_parityll(matrix_[dimension][k] & bits));
        scrambled |= parity << (63 - k);
    }
    return scrambled ^ shift_[dimension];
}

std::vector<double> SobolSequence::next() {
    std::vector<double> point(dimensions_);
    for (std::size_t d = 0; d < dimensions_; ++d) {
        const std::uint64_t bits = index_ == 0 ? 0 : engine_();
        point[d] = to_unit(scramble(d, bits));
    }
    ++index_;
    return point;
}

void SobolSequence::skip_to(std::uint64_t index) {
    engine_.seed(index == 0 ? 0 : index - 1);
    index_ = index;
}

Json SobolSequence::save() const { return {{"index", index_}, {"scrambled", scrambled_}, {"seed", seed_}}; }

void SobolSequence::load(const Json& state) {
    draw_scramble(state.at("scrambled").get<bool>(), state.at("seed").get<std::uint64_t>());
    skip_to(state.at("index").get<std::uint64_t>());
}

}  // namespace hpopt::optim
