#include "hpopt/optim/sobol_sequence.hpp"

#include <array>

namespace hpopt::optim {
namespace {

double to_unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// A random lower-triangular binary matrix over the digits of a 64-bit fraction (output digit k,
// k = 0 the most significant, is the parity of input digits 0..k picked by row k, digit k
// itself always among them, so the matrix is invertible), returned as its 64 columns: column j
// is the image of input bit j.
std::array<std::uint64_t, 64> random_lower_triangular_columns(random::Rng& rng) {
    std::array<std::uint64_t, 64> columns{};
    for (int k = 0; k < 64; ++k) {
        const std::uint64_t diagonal = std::uint64_t{1} << (63 - k);
        const std::uint64_t above = k == 0 ? 0 : ~std::uint64_t{0} << (64 - k);
        const std::uint64_t row = diagonal | (rng() & above);
        for (int j = 0; j < 64; ++j) columns[j] |= ((row >> j) & 1) << (63 - k);
    }
    return columns;
}

}  // namespace

SobolSequence::SobolSequence(std::size_t dimensions, bool scramble, std::uint64_t seed)
    : dimensions_(dimensions), engine_(dimensions) {
    draw_scramble(scramble, seed);
}

void SobolSequence::draw_scramble(bool scramble, std::uint64_t seed) {
    scrambled_ = scramble;
    seed_ = seed;
    nibble_tables_.clear();
    shift_.assign(dimensions_, 0);
    if (!scramble) return;
    random::Rng rng(seed);
    for (std::size_t d = 0; d < dimensions_; ++d) {
        const auto columns = random_lower_triangular_columns(rng);
        // The matrix applied to each value of each 4-bit group of the input, so that scrambling
        // a coordinate takes 16 lookups instead of 64 parities.
        NibbleTable table{};
        for (int group = 0; group < 16; ++group) {
            for (int value = 1; value < 16; ++value) {
                const int lowest = __builtin_ctz(value);
                table[group][value] = table[group][value & (value - 1)] ^ columns[4 * group + lowest];
            }
        }
        nibble_tables_.push_back(table);
        shift_[d] = rng();
    }
}

std::uint64_t SobolSequence::scramble(std::size_t dimension, std::uint64_t bits) const {
    if (nibble_tables_.empty()) return bits;
    const NibbleTable& table = nibble_tables_[dimension];
    std::uint64_t scrambled = 0;
    for (int group = 0; group < 16; ++group) scrambled ^= table[group][(bits >> (4 * group)) & 0xf];
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
