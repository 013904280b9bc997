#include "hpopt/calo/shower_file.hpp"

#include <hdf5.h>

#include <type_traits>

#include <fmt/format.h>

#include "hpopt/data/dataset.hpp"

namespace hpopt::calo {
namespace {

using data::DataError;

// An HDF5 identifier, closed with its own close function.
class Handle {
public:
    Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
        if (id_ >= 0) close_(id_);
    }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

// HDF5 prints its own error stack by default; hpopt reports errors itself.
void silence_hdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

// A dataset of `dims` float32 values, compressed in chunks of a few rows (showers are mostly
// empty cells).
hid_t create_dataset(hid_t file, const char* name, const std::vector<hsize_t>& dims, const std::filesystem::path& path) {
    const Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    const Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], dims.size() > 1 ? 16 : 4096));
    H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_deflate(properties, 4);
    const hid_t dataset = H5Dcreate2(file, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, properties, H5P_DEFAULT);
    if (dataset < 0) throw DataError(fmt::format("{}: cannot create the dataset {}", path.string(), name));
    return dataset;
}

// Rows [first, first + rows) of a dataset, from `values`.
void write_rows(hid_t dataset, hsize_t first, hsize_t rows, const float* values, const std::filesystem::path& path,
                const char* name) {
    const Handle file_space(H5Dget_space(dataset), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(file_space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), start(dims.size(), 0);
    H5Sget_simple_extent_dims(file_space, dims.data(), nullptr);
    dims[0] = rows;
    start[0] = first;
    const Handle memory_space(H5Screate_simple(rank, dims.data(), nullptr), H5Sclose);
    if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, dims.data(), nullptr) < 0 ||
        H5Dwrite(dataset, H5T_NATIVE_FLOAT, memory_space, file_space, H5P_DEFAULT, values) < 0) {
        throw DataError(fmt::format("{}: cannot write the dataset {}", path.string(), name));
    }
}

std::vector<hsize_t> dimensions(hid_t dataset) {
    const Handle space(H5Dget_space(dataset), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

// The first `rows` rows of a dataset as floats.
std::vector<float> read_rows(hid_t dataset, const std::vector<hsize_t>& dims, hsize_t rows, const std::filesystem::path& path,
                             const char* name) {
    std::vector<hsize_t> count = dims;
    count[0] = rows;
    std::vector<hsize_t> start(dims.size(), 0);
    hsize_t values = 1;
    for (hsize_t n : count) values *= n;
    std::vector<float> result(values);
    const Handle file_space(H5Dget_space(dataset), H5Sclose);
    const Handle memory_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
    if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0 ||
        H5Dread(dataset, H5T_NATIVE_FLOAT, memory_space, file_space, H5P_DEFAULT, result.data()) < 0) {
        throw DataError(fmt::format("{}: cannot read the dataset {} as numbers", path.string(), name));
    }
    return result;
}

Handle open_dataset(hid_t file, const char* name, const std::filesystem::path& path) {
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
        throw DataError(fmt::format("{}: no dataset named {} (a CLIC shower file has ECAL and target)", path.string(), name));
    }
    return Handle(H5Dopen2(file, name, H5P_DEFAULT), H5Dclose);
}

}  // namespace

static_assert(std::is_same_v<hid_t, std::int64_t>, "ShowerFileWriter keeps HDF5 identifiers as int64");

ShowerFileWriter::ShowerFileWriter(const std::filesystem::path& path, std::int64_t count, const std::array<std::int64_t, 3>& shape)
    : path_(path), count_(count), shape_(shape), file_(-1), ecal_(-1), target_(-1) {
    silence_hdf5();
    file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file_ < 0) throw DataError(fmt::format("{}: cannot create the file", path.string()));
    try {
        const auto n = static_cast<hsize_t>(count);
        ecal_ = create_dataset(file_, "ECAL", {n, static_cast<hsize_t>(shape[0]), static_cast<hsize_t>(shape[1]), static_cast<hsize_t>(shape[2])}, path);
        target_ = create_dataset(file_, "target", {n}, path);
    } catch (...) {
        close();
        throw;
    }
}

ShowerFileWriter::~ShowerFileWriter() { close(); }

void ShowerFileWriter::close() {
    if (target_ >= 0) H5Dclose(target_);
    if (ecal_ >= 0) H5Dclose(ecal_);
    if (file_ >= 0) H5Fclose(file_);
    target_ = ecal_ = file_ = -1;
}

void ShowerFileWriter::write(const Showers& block) {
    if (block.shape != shape_ || written_ + static_cast<std::int64_t>(block.size()) > count_) {
        throw std::invalid_argument("a block of showers that does not fit the file");
    }
    const auto first = static_cast<hsize_t>(written_), rows = static_cast<hsize_t>(block.size());
    write_rows(ecal_, first, rows, block.cells.data(), path_, "ECAL");
    write_rows(target_, first, rows, block.energies.data(), path_, "target");
    written_ += static_cast<std::int64_t>(block.size());
}

void write_showers(const std::filesystem::path& path, const Showers& showers) {
    ShowerFileWriter writer(path, static_cast<std::int64_t>(showers.size()), showers.shape);
    writer.write(showers);
}

Showers read_showers(const std::filesystem::path& path, std::int64_t limit) {
    silence_hdf5();
    if (!std::filesystem::exists(path)) throw DataError(fmt::format("{}: no such file", path.string()));
    const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw DataError(fmt::format("{}: not an HDF5 file", path.string()));
    const Handle ecal = open_dataset(file, "ECAL", path);
    const Handle target = open_dataset(file, "target", path);
    const std::vector<hsize_t> image = dimensions(ecal), energy = dimensions(target);
    if (image.size() != 4) throw DataError(fmt::format("{}: ECAL has {} dimensions, not 4 (N, x, y, z)", path.string(), image.size()));
    if (energy.empty() || energy.size() > 2 || energy[0] != image[0] || (energy.size() == 2 && energy[1] < 2)) {
        throw DataError(fmt::format("{}: target must be [N] or [N][k >= 2] with N = {} as in ECAL", path.string(), image[0]));
    }
    const hsize_t rows = limit > 0 ? std::min<hsize_t>(image[0], static_cast<hsize_t>(limit)) : image[0];
    Showers showers;
    showers.shape = {static_cast<std::int64_t>(image[1]), static_cast<std::int64_t>(image[2]), static_cast<std::int64_t>(image[3])};
    showers.cells = read_rows(ecal, image, rows, path, "ECAL");
    const std::vector<float> targets = read_rows(target, energy, rows, path, "target");
    const std::size_t columns = energy.size() == 2 ? energy[1] : 1;
    for (std::size_t i = 0; i < rows; ++i) showers.energies.push_back(targets[i * columns + (columns > 1 ? 1 : 0)]);
    return showers;
}

}  // namespace hpopt::calo
