#pragma once
// `hpopt showers --count N --out FILE.h5 [--seed S] [--min-energy E] [--max-energy E]`:
// simulated calorimeter showers in the CLIC HDF5 format (calo::simulate_showers), for the
// calo_gan workload where the real files cannot be had. A program of its own, hpopt-showers,
// which `hpopt showers` runs: only it loads HDF5.
#include <cstdint>
#include <string>

namespace hpopt::cli {

struct ShowersOptions {
    std::int64_t count = 0;
    std::string out;
    std::uint64_t seed = 1;
    double min_energy = 10, max_energy = 500;  // GeV
};

// Returns the exit status; throws data::DataError when the file cannot be written.
int showers_command(const ShowersOptions& options);

}  // namespace hpopt::cli
