#pragma once
// A fast parametric simulation of electromagnetic showers in a sampling calorimeter, standing
// in for the CLIC ECAL Geant4 samples (docs/workloads.md describes the model). Each shower:
//  - incident energy E uniform in [min_energy, max_energy];
//  - N ~ Poisson(E / stochastic_term^2) energy deposits ("hits") of equal visible energy, so
//    that the visible sum is sampling_fraction * E with the relative spread
//    sqrt(stochastic_term^2 / E + constant_term^2) (the constant term one factor per shower);
//  - each hit's depth t (radiation lengths) from the longitudinal Gamma profile
//    dE/dt ~ (b t)^(a - 1) exp(-b t) with its maximum at t_max = ln(E / critical_energy) + depth_offset
//    (Longo and Sestili 1975; the PDG review), t_max varying from shower to shower by
//    depth_spread (relative); hits beyond the last layer leak out;
//  - each hit's distance from the axis from f(r) = 2 r R^2 / (r^2 + R^2)^2 (Grindhammer and
//    Peters, hep-ex/0001020), R in Moliere radii growing with the depth relative to the maximum:
//    R = core_radius + radius_growth * t / t_max; the axis enters near the grid's centre.
// Deterministic: shower i of a seed is the same whatever the count.
#include <cstdint>

#include "hpopt/calo/showers.hpp"

namespace hpopt::calo {

struct ShowerModel {
    double min_energy = 10, max_energy = 500;  // GeV
    double layer_depth = 0.9;                  // radiation lengths per layer
    double cell_width = 0.55;                  // Moliere radii (CLIC: 5.1 mm cells, tungsten's 9.3 mm)
    double critical_energy = 0.008;            // GeV (tungsten)
    double profile_b = 0.5;
    double depth_offset = -0.5;                // electrons (photons: +0.5)
    double depth_spread = 0.08;
    double core_radius = 0.2, radius_growth = 0.15;  // Moliere radii
    double entry_spread = 1.0;                 // cells: the axis enters uniformly within this square
    double sampling_fraction = 0.02;
    double stochastic_term = 0.17;             // sqrt(GeV)
    double constant_term = 0.01;
};

// `count` showers on a 25^3 grid: showers first, first + 1, ... of the seed (so that a large
// set can be made block by block).
Showers simulate_showers(const ShowerModel& model, std::int64_t count, std::uint64_t seed, std::int64_t first = 0);

}  // namespace hpopt::calo
