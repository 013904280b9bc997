#pragma once
// Calorimeter showers in memory: each an image of cell energies (GeV) with its particle's
// incident energy. Cells are row-major [shower][x][y][z], z the depth (the layer), as in the
// CLIC ECAL files of the 3DGAN studies. Plain arrays: no torch, no HDF5 here.
#include <array>
#include <cstdint>
#include <vector>

namespace hpopt::calo {

struct Showers {
    std::array<std::int64_t, 3> shape{25, 25, 25};  // x, y, z (layers)
    std::vector<float> cells;                       // size() * cells_per_shower() values
    std::vector<float> energies;                    // the incident energy of each, GeV

    std::size_t size() const { return energies.size(); }
    std::int64_t cells_per_shower() const { return shape[0] * shape[1] * shape[2]; }
    const float* shower(std::size_t i) const { return cells.data() + static_cast<std::int64_t>(i) * cells_per_shower(); }
};

}  // namespace hpopt::calo
