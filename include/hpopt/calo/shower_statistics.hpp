#pragma once
// A physics distance between two sets of showers at the same incident energies: the figure of
// merit of the calorimeter GAN. Showers are summed into statistics per incident-energy bin;
// sums from several ranks add up (values()), so a team can share the work.
//
// In each bin, six terms in [0, 1] compare the generated set g with the reference set r:
//  1. longitudinal: the total variation distance (half the L1 distance) between the mean
//     energy fractions per layer,
//  2. transverse: the same for the x and for the y profile, averaged,
//  3. response: the symmetric relative difference |g - r| / (|g| + |r|) of the mean E_sum / E,
//  4. resolution: the same for the standard deviation of E_sum / E,
//  5. depth: the same for the mean shower depth (energy-weighted mean layer),
//  6. width: the same for the mean transverse width (energy-weighted RMS in x and y, in cells).
// The distance is the mean of the six, averaged over the bins weighted by their reference
// counts: 0 for identical statistics, 5/6 for showers with no energy at all.
#include <string>
#include <vector>

#include "hpopt/calo/showers.hpp"

namespace hpopt::calo {

// Bins of incident energy: the quantiles of a reference set's energies, so that each holds
// about as many showers.
class EnergyBins {
public:
    EnergyBins(std::vector<float> energies, int bins);
    int size() const { return static_cast<int>(upper_edges_.size()); }
    int bin_of(float energy) const;

private:
    std::vector<float> upper_edges_;
};

struct DistanceTerms {
    double longitudinal = 0, transverse = 0, response = 0, resolution = 0, depth = 0, width = 0;
    double total() const { return (longitudinal + transverse + response + resolution + depth + width) / 6; }
};

class ShowerStatistics {
public:
    ShowerStatistics(const EnergyBins& bins, const std::array<std::int64_t, 3>& shape);

    void add(const float* cells, float energy);
    void add(const Showers& showers);

    // Every sum in one array, to be summed over ranks in place.
    std::vector<double>& values() { return values_; }

private:
    friend DistanceTerms distance_terms(const ShowerStatistics& generated, const ShowerStatistics& reference);
    std::int64_t per_bin() const;

    EnergyBins bins_;
    std::array<std::int64_t, 3> shape_;
    // Per bin: count, layer fractions [z], x fractions [x], y fractions [y], then the sums and
    // sums of squares of the response, and the sums of the depth and of the width.
    std::vector<double> values_;
};

DistanceTerms distance_terms(const ShowerStatistics& generated, const ShowerStatistics& reference);
inline double physics_distance(const ShowerStatistics& generated, const ShowerStatistics& reference) {
    return distance_terms(generated, reference).total();
}

}  // namespace hpopt::calo
