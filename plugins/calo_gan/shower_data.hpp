#pragma once
// Where the calo_gan workload's showers come from: CLIC-format HDF5 files, or the shower
// simulator run in the process (deterministic by its seed). The spec's "data" object:
//   {"path": "train.h5", "test_path": "test.h5", "subset": N, "test_subset": M}
//   {"simulate": {"count": N, "test_count": M, "seed": S, "min_energy": 10, "max_energy": 500}}
// The networks see scaled showers: cell energies divided by the training set's mean visible
// sum, incident energies in units of 100 GeV.
#include <cstdint>
#include <filesystem>
#include <memory>

#include "hpopt/calo/showers.hpp"
#include "hpopt/config/object_reader.hpp"
#include "hpopt/data/dataset.hpp"

namespace hpopt::calo_gan {

struct ShowerSource {
    std::filesystem::path path, test_path;  // files; empty when simulated
    std::int64_t subset = 0, test_subset = 0;
    std::int64_t simulated = 0, simulated_test = 0;  // showers to simulate instead
    std::uint64_t seed = 1;
    double min_energy = 10, max_energy = 500;
};

inline constexpr double energy_unit = 100;  // GeV

// Reads a "data" object, reporting its problems (a file that does not exist among them).
ShowerSource read_shower_source(config::ObjectReader& reader);

// The training and the test showers, scaled, as datasets (sample shape {1, x, y, z}, the
// incident energy as target); read or simulated once per process.
struct ShowerSets {
    std::shared_ptr<const data::Dataset> training, test;
    // The training set's mean energy sum per unit of incident energy, in the scaled units.
    double response = 0;
};
ShowerSets load_showers(const ShowerSource& source);

}  // namespace hpopt::calo_gan
