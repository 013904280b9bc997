#include "hpopt/optim/sobol_sequence.hpp"

namespace hpopt::optim {
namespace {

double to_unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace

SobolSequence::SobolSequence(std::size_t dimensions, bool scramble, std::uint64_t seed)
    : dimensions_(dimensions), shift_(dimensions, 0), engine_(dimensions) {
    if (scramble) {
        random::Rng rng(seed);
        for (auto& mask : shift_) mask = rng();
    }
}

std::vector<double> SobolSequence::next() {
    std::vector<double> point(dimensions_);
    for (std::size_t d = 0; d < dimensions_; ++d) {
        const std::uint64_t bits = index_ == 0 ? 0 : engine_();
        point[d] = to_unit(bits ^ shift_[d]);
    }
    ++index_;
    return point;
}

void SobolSequence::skip_to(std::uint64_t index) {
    engine_.seed(index == 0 ? 0 : index - 1);
    index_ = index;
}

}  // namespace hpopt::optim
