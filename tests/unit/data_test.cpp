#include <doctest/doctest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "hpopt/data/dataset.hpp"
#include "hpopt/data/folds.hpp"

using namespace hpopt;
namespace fs = std::filesystem;

namespace {

// 3 classes of unequal sizes: 50, 30 and 20 samples of one feature each.
data::Dataset three_classes() {
    data::Dataset dataset{{1}, {}, {}, 3};
    for (int i = 0; i < 100; ++i) {
        dataset.features.push_back(static_cast<float>(i));
        dataset.targets.push_back(i < 50 ? 0.0f : i < 80 ? 1.0f : 2.0f);
    }
    return dataset;
}

int count_class(const data::Dataset& dataset, const std::vector<std::size_t>& indices, float label) {
    int count = 0;
    for (std::size_t i : indices) count += dataset.targets[i] == label;
    return count;
}

fs::path temporary_dir() {
    const fs::path dir = fs::temp_directory_path() / "hpopt-data-test";
    fs::create_directories(dir);
    return dir;
}

void write_file(const fs::path& file, const std::string& content, bool gzipped) {
    if (!gzipped) {
        std::ofstream(file, std::ios::binary) << content;
        return;
    }
    gzFile out = gzopen(file.c_str(), "wb");
    gzwrite(out, content.data(), static_cast<unsigned>(content.size()));
    gzclose(out);
}

std::string idx_header(std::initializer_list<std::uint32_t> shape) {
    std::string header = {0, 0, 8, static_cast<char>(shape.size())};
    for (std::uint32_t size : shape) {
        for (int shift = 24; shift >= 0; shift -= 8) header += static_cast<char>((size >> shift) & 0xff);
    }
    return header;
}

}  // namespace

TEST_CASE("k folds are disjoint, cover the data, and each keeps the class proportions") {
    const data::Dataset dataset = three_classes();
    const int k = 5;
    std::multiset<std::size_t> validated;
    for (int fold = 0; fold < k; ++fold) {
        const data::FoldSplit split = data::split_fold(dataset, {k, 0.2, true, 42}, fold);
        CHECK(split.training.size() + split.validation.size() == dataset.size());
        std::set<std::size_t> training(split.training.begin(), split.training.end());
        for (std::size_t i : split.validation) CHECK(training.count(i) == 0);
        validated.insert(split.validation.begin(), split.validation.end());
        CHECK(count_class(dataset, split.validation, 0) == 10);
        CHECK(count_class(dataset, split.validation, 1) == 6);
        CHECK(count_class(dataset, split.validation, 2) == 4);
    }
    CHECK(validated.size() == dataset.size());
    CHECK(std::set<std::size_t>(validated.begin(), validated.end()).size() == dataset.size());
}

TEST_CASE("folds are the same for a seed and differ between seeds") {
    const data::Dataset dataset = three_classes();
    const auto fold_of = [&](std::uint64_t seed) { return data::split_fold(dataset, {4, 0.2, false, seed}, 1).validation; };
    CHECK(fold_of(7) == fold_of(7));
    CHECK(fold_of(7) != fold_of(8));
}

TEST_CASE("one fold holds out the given fraction, stratified") {
    const data::Dataset dataset = three_classes();
    const data::FoldSplit split = data::split_fold(dataset, {1, 0.1, true, 3}, 0);
    CHECK(split.validation.size() == 10);
    CHECK(count_class(dataset, split.validation, 0) == 5);
    CHECK(count_class(dataset, split.validation, 1) == 3);
    CHECK(count_class(dataset, split.validation, 2) == 2);
    CHECK_THROWS_AS(data::split_fold(dataset, {1, 0.001, true, 3}, 0), std::invalid_argument);
}

TEST_CASE("IDX images and labels are read gzipped or plain") {
    for (bool gzipped : {false, true}) {
        const fs::path dir = temporary_dir() / (gzipped ? "gz" : "plain");
        fs::create_directories(dir);
        const std::string suffix = gzipped ? ".gz" : "";
        write_file(dir / ("train-images-idx3-ubyte" + suffix), idx_header({2, 2, 3}) + std::string("\x00\x33\x66\x99\xcc\xff" "\xff\x00\x00\x00\x00\x00", 12), gzipped);
        write_file(dir / ("train-labels-idx1-ubyte" + suffix), idx_header({2}) + std::string("\x04\x01", 2), gzipped);
        const data::Dataset dataset = data::read_idx_images(dir, data::Split::train);
        CHECK(dataset.sample_shape == std::vector<std::int64_t>{1, 2, 3});
        CHECK(dataset.size() == 2);
        CHECK(dataset.classes == 5);
        CHECK(dataset.features[1] == doctest::Approx(0.2));
        CHECK(dataset.features[6] == 1.0f);
        CHECK(dataset.targets == std::vector<float>{4, 1});
        CHECK_THROWS_WITH_AS(data::read_idx_images(dir, data::Split::test), doctest::Contains("no t10k-images-idx3-ubyte"),
                             data::DataError);
    }
}

TEST_CASE("a truncated IDX file is an error that names it") {
    const fs::path file = temporary_dir() / "short-idx";
    write_file(file, idx_header({10, 28, 28}) + "abc", false);
    CHECK_THROWS_WITH_AS(data::read_idx(file), doctest::Contains("short-idx: file ends early"), data::DataError);
}

TEST_CASE("Debian's Fashion-MNIST reads as 60000 + 10000 images of 28 x 28 in 10 classes") {
    data::DataSpec spec;
    spec.path = "/usr/share/datasets/fashion-mnist";
    const auto train = data::load(spec, data::Split::train);
    const auto test = data::load(spec, data::Split::test);
    CHECK(train->size() == 60000);
    CHECK(test->size() == 10000);
    CHECK(train->sample_shape == std::vector<std::int64_t>{1, 28, 28});
    CHECK(train->classes == 10);
    CHECK(data::load(spec, data::Split::train) == train);  // cached
    spec.subset = 500;
    CHECK(data::load(spec, data::Split::train)->size() == 500);
    CHECK(data::load(spec, data::Split::train)->features[1000] == train->features[1000]);
}

TEST_CASE("CSV: a target column by name, classes from integer targets, errors with file and line") {
    const fs::path file = temporary_dir() / "table.csv";
    write_file(file, "a, label ,b\n1.5,1,2.5\n-3,0,4.5e2\n\n", false);
    const data::Dataset dataset = data::read_csv(file, "label", false);
    CHECK(dataset.sample_shape == std::vector<std::int64_t>{2});
    CHECK(dataset.features == std::vector<float>{1.5f, 2.5f, -3, 450});
    CHECK(dataset.targets == std::vector<float>{1, 0});
    CHECK(dataset.classes == 2);
    CHECK(data::read_csv(file, "", false).classes == 0);  // the last column, b, holds no class indices
    CHECK_THROWS_WITH(data::read_csv(file, "c", false), doctest::Contains("has no column \"c\""));
    write_file(file, "a,b\n1,2\n3,x\n", false);
    CHECK_THROWS_WITH(data::read_csv(file, "", false), doctest::Contains("table.csv:3: \"x\" is not a number"));
}

TEST_CASE("a data object naming a missing file is a problem with its path") {
    config::Problems problems;
    const Json options{{"format", "idx"}, {"path", "/no/such/dir"}};
    config::ObjectReader reader(options, "workload.data", problems);
    data::read_data_spec(reader);
    REQUIRE(problems.size() == 1);
    CHECK(problems.front().path == "workload.data.path");
    CHECK(problems.front().message.find("no such file or directory") != std::string::npos);
}
