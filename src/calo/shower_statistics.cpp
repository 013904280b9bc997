#include "hpopt/calo/shower_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hpopt::calo {
namespace {

double symmetric_difference(double g, double r) {
    const double scale = std::abs(g) + std::abs(r);
    return scale > 0 ? std::abs(g - r) / scale : 0.0;
}

// Half the L1 distance between two profiles given as sums over `count` showers.
double profile_distance(const double* g, double g_count, const double* r, double r_count, std::int64_t length) {
    double sum = 0;
    for (std::int64_t i = 0; i < length; ++i) sum += std::abs(g[i] / g_count - r[i] / r_count);
    return sum / 2;
}

}  // namespace

EnergyBins::EnergyBins(std::vector<float> energies, int bins) {
    if (energies.empty() || bins < 1) throw std::invalid_argument("energy bins need reference energies and at least one bin");
    std::sort(energies.begin(), energies.end());
    for (int b = 1; b < bins; ++b) upper_edges_.push_back(energies[energies.size() * static_cast<std::size_t>(b) / static_cast<std::size_t>(bins)]);
    upper_edges_.push_back(std::numeric_limits<float>::infinity());
}

int EnergyBins::bin_of(float energy) const {
    const auto above = std::upper_bound(upper_edges_.begin(), upper_edges_.end(), energy) - upper_edges_.begin();
    return std::min(static_cast<int>(above), size() - 1);
}

ShowerStatistics::ShowerStatistics(const EnergyBins& bins, const std::array<std::int64_t, 3>& shape)
    : bins_(bins), shape_(shape), values_(static_cast<std::size_t>(bins.size() * per_bin()), 0.0) {}

std::int64_t ShowerStatistics::per_bin() const { return 1 + shape_[2] + shape_[0] + shape_[1] + 4; }

void ShowerStatistics::add(const float* cells, float energy) {
    const std::int64_t nx = shape_[0], ny = shape_[1], nz = shape_[2];
    std::vector<double> x(static_cast<std::size_t>(nx)), y(static_cast<std::size_t>(ny)), z(static_cast<std::size_t>(nz));
    double sum = 0;
    for (std::int64_t i = 0; i < nx; ++i) {
        for (std::int64_t j = 0; j < ny; ++j) {
            for (std::int64_t k = 0; k < nz; ++k) {
                const double e = cells[(i * ny + j) * nz + k];
                x[i] += e;
                y[j] += e;
                z[k] += e;
                sum += e;
            }
        }
    }
    double* at = values_.data() + bins_.bin_of(energy) * per_bin();
    at[0] += 1;
    double* fractions = at + 1;
    const auto moments = [&](const std::vector<double>& profile, double* out) {  // mean and RMS, in cells
        double mean = 0, square = 0;
        for (std::size_t i = 0; i < profile.size(); ++i) {
            const double f = sum > 0 ? profile[i] / sum : 0.0;
            out[i] += f;
            mean += f * static_cast<double>(i);
            square += f * static_cast<double>(i * i);
        }
        return std::pair<double, double>{mean, std::sqrt(std::max(0.0, square - mean * mean))};
    };
    const double depth = moments(z, fractions).first;
    const double width = (moments(x, fractions + nz).second + moments(y, fractions + nz + nx).second) / 2;
    double* scalars = fractions + nz + nx + ny;
    const double response = sum / energy;
    scalars[0] += response;
    scalars[1] += response * response;
    scalars[2] += depth;
    scalars[3] += width;
}

void ShowerStatistics::add(const Showers& showers) {
    if (showers.shape != shape_) throw std::invalid_argument("showers of another shape than the statistics'");
    for (std::size_t i = 0; i < showers.size(); ++i) add(showers.shower(i), showers.energies[i]);
}

DistanceTerms distance_terms(const ShowerStatistics& generated, const ShowerStatistics& reference) {
    if (generated.shape_ != reference.shape_ || generated.values_.size() != reference.values_.size()) {
        throw std::invalid_argument("shower statistics of different shapes or bins");
    }
    const std::int64_t nx = reference.shape_[0], ny = reference.shape_[1], nz = reference.shape_[2];
    DistanceTerms total;
    double weight_sum = 0;
    for (int b = 0; b < reference.bins_.size(); ++b) {
        const double* g = generated.values_.data() + b * generated.per_bin();
        const double* r = reference.values_.data() + b * reference.per_bin();
        if (g[0] == 0 || r[0] == 0) continue;
        const double* gs = g + 1 + nz + nx + ny;
        const double* rs = r + 1 + nz + nx + ny;
        const auto spread = [](const double* s, double n) { return std::sqrt(std::max(0.0, s[1] / n - (s[0] / n) * (s[0] / n))); };
        const double w = r[0];
        total.longitudinal += w * profile_distance(g + 1, g[0], r + 1, r[0], nz);
        total.transverse += w * (profile_distance(g + 1 + nz, g[0], r + 1 + nz, r[0], nx) +
                                 profile_distance(g + 1 + nz + nx, g[0], r + 1 + nz + nx, r[0], ny)) / 2;
        total.response += w * symmetric_difference(gs[0] / g[0], rs[0] / r[0]);
        total.resolution += w * symmetric_difference(spread(gs, g[0]), spread(rs, r[0]));
        total.depth += w * symmetric_difference(gs[2] / g[0], rs[2] / r[0]);
        total.width += w * symmetric_difference(gs[3] / g[0], rs[3] / r[0]);
        weight_sum += w;
    }
    if (weight_sum == 0) throw std::invalid_argument("no energy bin holds both generated and reference showers");
    for (double* term : {&total.longitudinal, &total.transverse, &total.response, &total.resolution, &total.depth, &total.width}) {
        *term /= weight_sum;
    }
    return total;
}

}  // namespace hpopt::calo
