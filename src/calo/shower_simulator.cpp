#include "hpopt/calo/shower_simulator.hpp"

#include <cmath>
#include <random>

#include "hpopt/random/rng.hpp"

namespace hpopt::calo {
namespace {

constexpr double pi = 3.14159265358979323846;

class ShowerDrawer {
public:
    ShowerDrawer(const ShowerModel& model, const std::array<std::int64_t, 3>& shape) : model_(model), shape_(shape) {}

    // Fills `cells` (zeroed) with one shower; returns its incident energy.
    float draw(random::Rng& rng, float* cells) const {
        const double energy = rng.uniform(model_.min_energy, model_.max_energy);
        const double depth_of_maximum =
            (std::log(energy / model_.critical_energy) + model_.depth_offset) * std::exp(model_.depth_spread * rng.normal());
        std::gamma_distribution<double> depth(1 + model_.profile_b * depth_of_maximum, 1 / model_.profile_b);
        const double mean_hits = energy / (model_.stochastic_term * model_.stochastic_term);
        const auto hits = std::poisson_distribution<std::int64_t>(mean_hits)(rng);
        const double hit_energy =
            model_.sampling_fraction * energy / mean_hits * std::max(0.0, 1 + model_.constant_term * rng.normal());
        const double axis_x = 0.5 * shape_[0] + model_.entry_spread * (rng.uniform() - 0.5);
        const double axis_y = 0.5 * shape_[1] + model_.entry_spread * (rng.uniform() - 0.5);
        for (std::int64_t h = 0; h < hits; ++h) {
            const double t = depth(rng);
            const auto layer = static_cast<std::int64_t>(t / model_.layer_depth);
            if (layer >= shape_[2]) continue;  // leaks out at the back
            const double radius = (model_.core_radius + model_.radius_growth * t / depth_of_maximum) / model_.cell_width;
            const double u = rng.uniform();
            const double r = radius * std::sqrt(u / (1 - u));
            const double phi = 2 * pi * rng.uniform();
            const auto x = static_cast<std::int64_t>(std::floor(axis_x + r * std::cos(phi)));
            const auto y = static_cast<std::int64_t>(std::floor(axis_y + r * std::sin(phi)));
            if (x < 0 || x >= shape_[0] || y < 0 || y >= shape_[1]) continue;  // leaks out at the side
            cells[(x * shape_[1] + y) * shape_[2] + layer] += static_cast<float>(hit_energy);
        }
        return static_cast<float>(energy);
    }

private:
    const ShowerModel& model_;
    std::array<std::int64_t, 3> shape_;
};

}  // namespace

Showers simulate_showers(const ShowerModel& model, std::int64_t count, std::uint64_t seed, std::int64_t first) {
    Showers showers;
    showers.cells.assign(static_cast<std::size_t>(count * showers.cells_per_shower()), 0.0f);
    showers.energies.resize(static_cast<std::size_t>(count));
    const ShowerDrawer drawer(model, showers.shape);
    for (std::int64_t i = 0; i < count; ++i) {
        random::Rng rng(random::derive_seed(seed, static_cast<std::uint64_t>(first + i)));
        showers.energies[static_cast<std::size_t>(i)] = drawer.draw(rng, showers.cells.data() + i * showers.cells_per_shower());
    }
    return showers;
}

}  // namespace hpopt::calo
