// The physics distance's noise floor and its sensitivity, as Markdown for BENCHMARKS.md: the
// distance between two independent samples of the same simulated showers, for several sample
// sizes, and between showers of the default model and of models with one property changed.
#include <cstdio>
#include <string>
#include <vector>

#include "hpopt/calo/shower_simulator.hpp"
#include "hpopt/calo/shower_statistics.hpp"

using namespace hpopt::calo;

namespace {

DistanceTerms compare(const Showers& other, const Showers& reference) {
    const EnergyBins bins(reference.energies, std::max<int>(1, std::min<int>(4, static_cast<int>(reference.size() / 25))));
    ShowerStatistics a(bins, reference.shape), b(bins, reference.shape);
    a.add(other);
    b.add(reference);
    return distance_terms(a, b);
}

void row(const std::string& what, const DistanceTerms& t) {
    std::printf("| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | **%.3f** |\n", what.c_str(), t.longitudinal, t.transverse,
                t.response, t.resolution, t.depth, t.width, t.total());
}

}  // namespace

int main() {
    std::printf("Simulated showers, 10-500 GeV; the reference sample has seed 1, the other seed 2.\n\n");
    std::printf("| compared with the reference | longitudinal | transverse | response | resolution | depth | width | distance |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (std::int64_t count : {50, 100, 200, 400}) {
        row("same model, " + std::to_string(count) + " showers each", compare(simulate_showers({}, count, 2), simulate_showers({}, count, 1)));
    }
    const Showers reference = simulate_showers({}, 200, 1);
    ShowerModel model;
    model.critical_energy = 0.016;
    row("E_c doubled (showers peak 0.7 X0 earlier)", compare(simulate_showers(model, 200, 2), reference));
    model = {};
    model.core_radius = 0.3;
    row("core radius 1.5x", compare(simulate_showers(model, 200, 2), reference));
    model = {};
    model.sampling_fraction = 0.022;
    row("response +10%", compare(simulate_showers(model, 200, 2), reference));
    model = {};
    model.stochastic_term = 0.34;
    row("stochastic term 2x", compare(simulate_showers(model, 200, 2), reference));
    Showers empty = simulate_showers({}, 200, 2);
    std::fill(empty.cells.begin(), empty.cells.end(), 0.0f);
    row("empty showers", compare(empty, reference));
}
