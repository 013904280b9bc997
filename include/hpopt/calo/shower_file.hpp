#pragma once
// Shower files in the CLIC calorimeter format: HDF5 with a dataset "ECAL" of cell energies
// [N][x][y][z] and a dataset "target" of incident energies, either [N] or [N][k] with the
// energy in column 1 (as the 3DGAN studies read the CLIC files). Any float type is read.
#include <filesystem>

#include "hpopt/calo/showers.hpp"

namespace hpopt::calo {

// A new file of `count` showers of `shape`, written block by block (so that it may hold more
// than memory does): float32 "ECAL" and a one-dimensional "target". Throws data::DataError.
class ShowerFileWriter {
public:
    ShowerFileWriter(const std::filesystem::path& file, std::int64_t count, const std::array<std::int64_t, 3>& shape);
    ~ShowerFileWriter();
    ShowerFileWriter(const ShowerFileWriter&) = delete;
    ShowerFileWriter& operator=(const ShowerFileWriter&) = delete;

    // The next block.size() showers.
    void write(const Showers& block);

private:
    void close();

    std::filesystem::path path_;
    std::int64_t count_, written_ = 0;
    std::array<std::int64_t, 3> shape_;
    std::int64_t file_, ecal_, target_;  // HDF5 identifiers
};

// A whole file at once.
void write_showers(const std::filesystem::path& file, const Showers& showers);

// The first `limit` showers (every shower when limit is 0). Throws data::DataError naming the
// file and what is wrong with it.
Showers read_showers(const std::filesystem::path& file, std::int64_t limit = 0);

}  // namespace hpopt::calo
