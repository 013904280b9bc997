#include "hpopt/data/dataset.hpp"

#include <zlib.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

namespace hpopt::data {
namespace fs = std::filesystem;
namespace {

class GzipFile {
public:
    explicit GzipFile(const fs::path& file) : file_(file), handle_(gzopen(file.c_str(), "rb")) {
        if (!handle_) throw DataError(fmt::format("cannot open {}", file.string()));
    }
    GzipFile(const GzipFile&) = delete;
    GzipFile& operator=(const GzipFile&) = delete;
    ~GzipFile() { gzclose(handle_); }

    void read(void* buffer, std::size_t bytes) {
        auto* out = static_cast<unsigned char*>(buffer);
        while (bytes > 0) {
            const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes, 1u << 30));
            const int got = gzread(handle_, out, chunk);
            if (got <= 0) throw DataError(fmt::format("{}: file ends early or is corrupt", file_.string()));
            out += got;
            bytes -= static_cast<std::size_t>(got);
        }
    }

private:
    fs::path file_;
    gzFile handle_;
};

std::uint32_t big_endian(const unsigned char* bytes) {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3];
}

// The file itself, or its gzipped form.
fs::path existing(const fs::path& dir, const std::string& name) {
    for (const fs::path& candidate : {dir / name, dir / (name + ".gz")}) {
        if (fs::exists(candidate)) return candidate;
    }
    throw DataError(fmt::format("no {} (or {}.gz) in {}", name, name, dir.string()));
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    return cells;
}

std::string trimmed(std::string text) {
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
    text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
    return text;
}

std::int64_t classes_of(const std::vector<float>& targets) {
    float highest = 0;
    for (float target : targets) {
        if (target < 0 || target != std::floor(target)) return 0;
        highest = std::max(highest, target);
    }
    return static_cast<std::int64_t>(highest) + 1;
}

Dataset first(std::shared_ptr<const Dataset> dataset, std::int64_t count) {
    std::vector<std::size_t> indices(std::min<std::size_t>(dataset->size(), static_cast<std::size_t>(count)));
    for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
    return dataset->subset(indices);
}

}  // namespace

std::size_t Dataset::sample_size() const {
    std::size_t size = 1;
    for (std::int64_t extent : sample_shape) size *= static_cast<std::size_t>(extent);
    return size;
}

Dataset Dataset::subset(const std::vector<std::size_t>& indices) const {
    Dataset part{sample_shape, {}, {}, classes};
    const std::size_t width = sample_size();
    part.features.reserve(indices.size() * width);
    part.targets.reserve(indices.size());
    for (std::size_t index : indices) {
        part.features.insert(part.features.end(), features.begin() + static_cast<std::ptrdiff_t>(index * width),
                             features.begin() + static_cast<std::ptrdiff_t>((index + 1) * width));
        part.targets.push_back(targets.at(index));
    }
    return part;
}

IdxArray read_idx(const fs::path& file) {
    GzipFile input(file);
    unsigned char magic[4];
    input.read(magic, 4);
    if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] < 1 || magic[3] > 4) {
        throw DataError(fmt::format("{} is not an IDX file of unsigned bytes", file.string()));
    }
    IdxArray array;
    std::size_t count = 1;
    for (int d = 0; d < magic[3]; ++d) {
        unsigned char size[4];
        input.read(size, 4);
        array.shape.push_back(big_endian(size));
        count *= big_endian(size);
    }
    array.values.resize(count);
    input.read(array.values.data(), count);
    return array;
}

Dataset read_idx_images(const fs::path& dir, Split split) {
    const std::string prefix = split == Split::train ? "train" : "t10k";
    const fs::path images_file = existing(dir, prefix + "-images-idx3-ubyte");
    const IdxArray images = read_idx(images_file);
    const IdxArray labels = read_idx(existing(dir, prefix + "-labels-idx1-ubyte"));
    if (images.shape.size() != 3 || labels.shape.size() != 1 || images.shape[0] != labels.shape[0]) {
        throw DataError(fmt::format("{}: images and labels do not match", images_file.string()));
    }
    Dataset dataset{{1, images.shape[1], images.shape[2]}, {}, {}, 0};
    dataset.features.reserve(images.values.size());
    for (std::uint8_t pixel : images.values) dataset.features.push_back(static_cast<float>(pixel) / 255.0f);
    dataset.targets.assign(labels.values.begin(), labels.values.end());
    dataset.classes = classes_of(dataset.targets);
    return dataset;
}

Dataset read_csv(const fs::path& file, const std::string& target, bool regression) {
    std::ifstream input(file);
    if (!input) throw DataError(fmt::format("cannot open {}", file.string()));
    std::string line;
    if (!std::getline(input, line)) throw DataError(fmt::format("{} is empty", file.string()));
    std::vector<std::string> header = split_csv_line(line);
    for (auto& name : header) name = trimmed(name);
    std::size_t target_column = header.size() - 1;
    if (!target.empty()) {
        const auto found = std::find(header.begin(), header.end(), target);
        if (found == header.end()) throw DataError(fmt::format("{} has no column \"{}\"", file.string(), target));
        target_column = static_cast<std::size_t>(found - header.begin());
    }
    Dataset dataset{{static_cast<std::int64_t>(header.size() - 1)}, {}, {}, 0};
    for (int number = 2; std::getline(input, line); ++number) {
        if (trimmed(line).empty()) continue;
        const std::vector<std::string> cells = split_csv_line(line);
        if (cells.size() != header.size()) {
            throw DataError(fmt::format("{}:{}: {} cells, the header has {}", file.string(), number, cells.size(), header.size()));
        }
        for (std::size_t column = 0; column < cells.size(); ++column) {
            float value = 0;
            try {
                std::size_t used = 0;
                value = std::stof(cells[column], &used);
                if (trimmed(cells[column].substr(used)) != "") throw std::invalid_argument("trailing text");
            } catch (const std::exception&) {
                throw DataError(fmt::format("{}:{}: \"{}\" is not a number", file.string(), number, trimmed(cells[column])));
            }
            (column == target_column ? dataset.targets : dataset.features).push_back(value);
        }
    }
    if (dataset.targets.empty()) throw DataError(fmt::format("{} has no rows", file.string()));
    if (!regression) dataset.classes = classes_of(dataset.targets);
    return dataset;
}

DataSpec read_data_spec(config::ObjectReader& reader, const std::string& default_path) {
    DataSpec spec;
    spec.format = reader.string_or("format", spec.format);
    if (spec.format != "idx" && spec.format != "csv") reader.report("format", "must be \"idx\" or \"csv\"");
    spec.path = reader.string_or("path", default_path);
    if (spec.path.empty()) reader.require("path");
    const auto check_exists = [&](const char* key, const fs::path& path) {
        if (!path.empty() && !fs::exists(path)) reader.report(key, "no such file or directory");
    };
    check_exists("path", spec.path);
    if (spec.format == "csv") {
        spec.test_path = reader.string_or("test_path", "");
        check_exists("test_path", spec.test_path);
        spec.target = reader.string_or("target", "");
        spec.regression = reader.boolean_or("regression", false);
    }
    spec.subset = reader.integer_or("subset", 0);
    spec.test_subset = reader.integer_or("test_subset", 0);
    if (spec.subset < 0) reader.report("subset", "must be >= 0 (0 for all)");
    if (spec.test_subset < 0) reader.report("test_subset", "must be >= 0 (0 for all)");
    return spec;
}

std::shared_ptr<const Dataset> load(const DataSpec& spec, Split split) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Dataset>> files;
    const auto cached = [&](const std::string& key, const std::function<Dataset()>& read) {
        const std::lock_guard lock(mutex);
        auto& entry = files[key];
        if (!entry) entry = std::make_shared<const Dataset>(read());
        return entry;
    };
    std::string key;
    std::function<Dataset()> read;
    if (spec.format == "idx") {
        key = fmt::format("idx {} {}", spec.path.string(), split == Split::train ? "train" : "test");
        read = [&] { return read_idx_images(spec.path, split); };
    } else {
        const fs::path file = split == Split::train ? spec.path : spec.test_path;
        if (file.empty()) return std::make_shared<const Dataset>();
        key = fmt::format("csv {} target {} regression {}", file.string(), spec.target, spec.regression);
        read = [file, &spec] { return read_csv(file, spec.target, spec.regression); };
    }
    const std::shared_ptr<const Dataset> whole = cached(key, read);
    const std::int64_t limit = split == Split::train ? spec.subset : spec.test_subset;
    if (limit > 0 && static_cast<std::size_t>(limit) < whole->size()) {
        return cached(fmt::format("{} first {}", key, limit), [&] { return first(whole, limit); });
    }
    return whole;
}

}  // namespace hpopt::data
