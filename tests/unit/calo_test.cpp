// The shower simulator's physics, the CLIC HDF5 format and the physics distance.
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <doctest/doctest.h>

#include "hpopt/calo/shower_file.hpp"
#include "hpopt/calo/shower_simulator.hpp"
#include "hpopt/calo/shower_statistics.hpp"
#include "hpopt/data/dataset.hpp"

using namespace hpopt::calo;
namespace fs = std::filesystem;

namespace {

Showers showers_at(double energy, std::int64_t count, std::uint64_t seed = 1) {
    ShowerModel model;
    model.min_energy = model.max_energy = energy;
    return simulate_showers(model, count, seed);
}

// The energy-weighted mean layer of each shower, averaged over the showers.
double mean_depth(const Showers& showers) {
    double total = 0;
    for (std::size_t i = 0; i < showers.size(); ++i) {
        double sum = 0, weighted = 0;
        for (std::int64_t cell = 0; cell < showers.cells_per_shower(); ++cell) {
            const double e = showers.shower(i)[cell];
            sum += e;
            weighted += e * static_cast<double>(cell % showers.shape[2]);
        }
        total += weighted / sum;
    }
    return total / static_cast<double>(showers.size());
}

std::vector<double> responses(const Showers& showers) {
    std::vector<double> result;
    for (std::size_t i = 0; i < showers.size(); ++i) {
        double sum = 0;
        for (std::int64_t cell = 0; cell < showers.cells_per_shower(); ++cell) sum += showers.shower(i)[cell];
        result.push_back(sum / showers.energies[i]);
    }
    return result;
}

std::pair<double, double> mean_and_spread(const std::vector<double>& values) {
    double mean = 0, square = 0;
    for (double v : values) mean += v / static_cast<double>(values.size());
    for (double v : values) square += (v - mean) * (v - mean) / static_cast<double>(values.size() - 1);
    return {mean, std::sqrt(square)};
}

struct TemporaryFile {
    fs::path path = fs::temp_directory_path() / ("hpopt_calo_test_" + std::to_string(::getpid()) + ".h5");
    ~TemporaryFile() { fs::remove(path); }
};

}  // namespace

TEST_CASE("the same seed gives the same showers, and shower i does not depend on the count") {
    const Showers a = simulate_showers({}, 6, 42), b = simulate_showers({}, 6, 42), c = simulate_showers({}, 3, 42);
    CHECK(a.cells == b.cells);
    CHECK(a.energies == b.energies);
    CHECK(std::equal(c.cells.begin(), c.cells.end(), a.cells.begin()));
    CHECK(simulate_showers({}, 6, 43).cells != a.cells);
    for (float e : a.energies) CHECK((e >= 10 && e <= 500));
}

TEST_CASE("the mean shower depth grows with the logarithm of the incident energy") {
    const double d10 = mean_depth(showers_at(10, 40)), d50 = mean_depth(showers_at(50, 40)), d250 = mean_depth(showers_at(250, 40));
    CHECK(d10 < d50);
    CHECK(d50 < d250);
    // Equal steps in log E move the shower by about equal depths (one radiation length = 1.1 layers):
    // ln 5 ~ 1.6 X0 ~ 1.8 layers.
    CHECK(d50 - d10 == doctest::Approx(d250 - d50).epsilon(0.3));
    CHECK(d50 - d10 == doctest::Approx(std::log(5.0) / 0.9).epsilon(0.3));
}

TEST_CASE("the visible energy is the sampling fraction of the incident energy within the sampling fluctuations") {
    const ShowerModel model;
    for (double energy : {20.0, 400.0}) {
        CAPTURE(energy);
        const auto [mean, spread] = mean_and_spread(responses(showers_at(energy, 60)));
        CHECK(mean == doctest::Approx(model.sampling_fraction).epsilon(0.06));  // leakage takes a few percent at 400 GeV
        const double expected = std::hypot(model.stochastic_term / std::sqrt(energy), model.constant_term);
        CHECK(spread / mean == doctest::Approx(expected).epsilon(0.35));
    }
}

TEST_CASE("showers survive a round trip through an HDF5 file, whole or the first few") {
    const Showers showers = simulate_showers({}, 5, 7);
    const TemporaryFile file;
    write_showers(file.path, showers);
    const Showers back = read_showers(file.path);
    CHECK(back.shape == showers.shape);
    CHECK(back.cells == showers.cells);
    CHECK(back.energies == showers.energies);
    const Showers first = read_showers(file.path, 2);
    CHECK(first.size() == 2);
    CHECK(std::equal(first.cells.begin(), first.cells.end(), showers.cells.begin()));
}

TEST_CASE("a file written block by block holds the same showers as one written at once") {
    const TemporaryFile file;
    {
        ShowerFileWriter writer(file.path, 7, {25, 25, 25});
        writer.write(simulate_showers({}, 4, 5));
        writer.write(simulate_showers({}, 3, 5, 4));
        CHECK_THROWS_AS(writer.write(simulate_showers({}, 1, 5, 7)), std::invalid_argument);  // one too many
    }
    const Showers whole = simulate_showers({}, 7, 5), back = read_showers(file.path);
    CHECK(back.cells == whole.cells);
    CHECK(back.energies == whole.energies);
}

TEST_CASE("a target of several columns gives the energy of column 1, as in the CLIC files") {
    const TemporaryFile file;
    {
        const hid_t h5 = H5Fcreate(file.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        const hsize_t image[4] = {2, 2, 3, 4}, target[2] = {2, 3};
        const std::vector<double> cells(48, 0.5);
        const double energies[6] = {11, 100, 0, 22, 200, 0};
        for (auto [name, rank, dims, type, values] :
             {std::tuple{"ECAL", 4, image, H5T_NATIVE_DOUBLE, static_cast<const void*>(cells.data())},
              std::tuple{"target", 2, target, H5T_NATIVE_DOUBLE, static_cast<const void*>(energies)}}) {
            const hid_t space = H5Screate_simple(rank, dims, nullptr);
            const hid_t dataset = H5Dcreate2(h5, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
            H5Dclose(dataset);
            H5Sclose(space);
        }
        H5Fclose(h5);
    }
    const Showers showers = read_showers(file.path);
    CHECK(showers.shape == std::array<std::int64_t, 3>{2, 3, 4});
    CHECK(showers.energies == std::vector<float>{100, 200});
    CHECK(showers.cells == std::vector<float>(48, 0.5f));
}

TEST_CASE("a missing file, a file that is not HDF5 and one without ECAL are errors that name the file") {
    const TemporaryFile file;
    CHECK_THROWS_WITH_AS(read_showers(file.path), doctest::Contains("no such file"), hpopt::data::DataError);
    {
        std::ofstream text(file.path);
        text << "ECAL,target\n";
    }
    CHECK_THROWS_WITH_AS(read_showers(file.path), doctest::Contains("not an HDF5 file"), hpopt::data::DataError);
    const hid_t h5 = H5Fcreate(file.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h5);
    CHECK_THROWS_WITH_AS(read_showers(file.path), doctest::Contains("no dataset named ECAL"), hpopt::data::DataError);
}

TEST_CASE("the physics distance is small between two samples of the same showers and large for wrong ones") {
    const Showers reference = simulate_showers({}, 200, 1), held_out = simulate_showers({}, 200, 2);
    const EnergyBins bins(reference.energies, 4);
    ShowerStatistics real(bins, reference.shape), other(bins, reference.shape);
    real.add(reference);
    other.add(held_out);
    const double same_physics = physics_distance(other, real);
    CHECK(same_physics < 0.05);

    // Empty showers, and showers at the wrong energies (every one at 10 GeV's depth and width).
    Showers empty = held_out;
    std::fill(empty.cells.begin(), empty.cells.end(), 0.0f);
    ShowerStatistics nothing(bins, reference.shape);
    nothing.add(empty);
    CHECK(physics_distance(nothing, real) == doctest::Approx(5.0 / 6));

    ShowerModel shallow;
    shallow.critical_energy = 0.1;  // showers peak ~2.5 X0 earlier
    ShowerStatistics wrong(bins, reference.shape);
    wrong.add(simulate_showers(shallow, 200, 2));
    const DistanceTerms terms = distance_terms(wrong, real);
    CHECK(terms.depth > 5 * distance_terms(other, real).depth);
    CHECK(terms.total() > 2 * same_physics);

    // Sums from two halves add up to the whole.
    ShowerStatistics halves(bins, reference.shape), second(bins, reference.shape);
    Showers first_half = held_out, second_half = held_out;
    first_half.energies.resize(100);
    first_half.cells.resize(static_cast<std::size_t>(100 * held_out.cells_per_shower()));
    second_half.energies.erase(second_half.energies.begin(), second_half.energies.begin() + 100);
    second_half.cells.erase(second_half.cells.begin(), second_half.cells.begin() + 100 * held_out.cells_per_shower());
    halves.add(first_half);
    second.add(second_half);
    for (std::size_t i = 0; i < halves.values().size(); ++i) halves.values()[i] += second.values()[i];
    CHECK(physics_distance(halves, real) == doctest::Approx(same_physics));
}
