#pragma once
// Datasets in memory, as plain arrays (no torch here): features row-major, one target each.
// Readers for IDX (MNIST, Fashion-MNIST; gzipped or not) and CSV files, and a per-process
// cache so that every trial of a search reads its files once.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "hpopt/config/object_reader.hpp"

namespace hpopt::data {

struct Dataset {
    std::vector<std::int64_t> sample_shape;  // {1, 28, 28} for an image, {features} for a table
    std::vector<float> features;             // size() * sample_size() values
    std::vector<float> targets;              // a class index (as a float) or a regression value
    std::int64_t classes = 0;                // 0 for regression

    std::size_t size() const { return targets.size(); }
    std::size_t sample_size() const;
    // The samples at `indices`, in that order.
    Dataset subset(const std::vector<std::size_t>& indices) const;
};

// A file that is missing, unreadable or malformed; the message names it.
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One IDX file: a header of dimension sizes, then unsigned bytes. Reads gzip or plain.
struct IdxArray {
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> values;
};
IdxArray read_idx(const std::filesystem::path& file);

enum class Split { train, test };

// The MNIST layout: <dir>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]. Pixels scale to [0, 1].
Dataset read_idx_images(const std::filesystem::path& dir, Split split);

// A CSV file with a header line of column names; every cell a number. `target` names the
// target column ("" for the last one). Integer targets >= 0 make a classification set with
// max + 1 classes, unless `regression`.
Dataset read_csv(const std::filesystem::path& file, const std::string& target, bool regression);

// Where a workload's data comes from: the spec's "data" object of a workload's options.
struct DataSpec {
    std::string format = "idx";  // "idx" or "csv"
    std::filesystem::path path;  // idx: the directory; csv: the training file
    std::filesystem::path test_path;  // csv only: the test file ("" for none)
    std::string target;               // csv only
    bool regression = false;          // csv only
    std::int64_t subset = 0;          // > 0: only the first `subset` training samples
    std::int64_t test_subset = 0;     // > 0: only the first `test_subset` test samples
};

// Reads and checks a "data" object: the files must exist.
DataSpec read_data_spec(config::ObjectReader& reader, const std::string& default_path = "");

// The training or test data of `spec`, read once per process; the test set may be empty.
std::shared_ptr<const Dataset> load(const DataSpec& spec, Split split);

}  // namespace hpopt::data
