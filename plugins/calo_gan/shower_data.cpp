#include "shower_data.hpp"

#include <fmt/format.h>

#include "hpopt/calo/shower_file.hpp"
#include "hpopt/calo/shower_simulator.hpp"
#include "hpopt/random/rng.hpp"

namespace hpopt::calo_gan {
namespace {

calo::Showers showers_from(const ShowerSource& source, bool test) {
    if (source.simulated > 0) {
        calo::ShowerModel model;
        model.min_energy = source.min_energy;
        model.max_energy = source.max_energy;
        // The test set draws from a stream of its own.
        return test ? calo::simulate_showers(model, source.simulated_test, random::derive_seed(source.seed, 1))
                    : calo::simulate_showers(model, source.simulated, source.seed);
    }
    return calo::read_showers(test ? source.test_path : source.path, test ? source.test_subset : source.subset);
}

double mean_visible_sum(const calo::Showers& showers) {
    double sum = 0;
    for (float cell : showers.cells) sum += cell;
    return sum / static_cast<double>(showers.size());
}

std::shared_ptr<const data::Dataset> scaled(const calo::Showers& showers, double cell_scale, const std::string& what) {
    if (showers.shape != std::array<std::int64_t, 3>{25, 25, 25}) {
        throw data::DataError(fmt::format("the calo_gan networks take 25x25x25 showers; the {} showers are {}x{}x{}", what,
                                          showers.shape[0], showers.shape[1], showers.shape[2]));
    }
    auto dataset = std::make_shared<data::Dataset>();
    dataset->sample_shape = {1, 25, 25, 25};
    dataset->features.reserve(showers.cells.size());
    for (float cell : showers.cells) dataset->features.push_back(static_cast<float>(cell * cell_scale));
    for (float energy : showers.energies) dataset->targets.push_back(static_cast<float>(energy / energy_unit));
    return dataset;
}

}  // namespace

ShowerSource read_shower_source(config::ObjectReader& reader) {
    ShowerSource source;
    auto data = reader.object("data");
    if (!data) {
        reader.report_here("needs \"data\": {\"path\": FILE.h5} (CLIC format; hpopt showers makes one) or {\"simulate\": {\"count\": N}}");
        return source;
    }
    if (auto simulate = data->object("simulate")) {
        source.simulated = simulate->integer_or("count", 0);
        source.simulated_test = simulate->integer_or("test_count", 0);
        source.seed = static_cast<std::uint64_t>(simulate->integer_or("seed", 1));
        source.min_energy = simulate->number_or("min_energy", source.min_energy);
        source.max_energy = simulate->number_or("max_energy", source.max_energy);
        if (source.simulated < 10) simulate->report("count", "must be >= 10");
        if (source.simulated_test < 0) simulate->report("test_count", "must be >= 0");
        if (!(source.min_energy > 0 && source.min_energy <= source.max_energy)) {
            simulate->report("min_energy", "must be > 0 and <= max_energy");
        }
        simulate->finish();
    } else {
        data->require("path");
        source.path = data->string_or("path", "");
        source.test_path = data->string_or("test_path", "");
        source.subset = data->integer_or("subset", 0);
        source.test_subset = data->integer_or("test_subset", 0);
        for (const auto& [key, path] : {std::pair{"path", source.path}, std::pair{"test_path", source.test_path}}) {
            if (!path.empty() && !std::filesystem::exists(path)) data->report(key, "no such file: " + path.string());
        }
        if (source.subset < 0) data->report("subset", "must be >= 0 (0 for all)");
        if (source.test_subset < 0) data->report("test_subset", "must be >= 0 (0 for all)");
    }
    data->finish();
    return source;
}

ShowerSets load_showers(const ShowerSource& source) {
    const calo::Showers training = showers_from(source, false);
    if (training.size() == 0) throw data::DataError("no training showers");
    const double visible = mean_visible_sum(training);
    if (!(visible > 0)) throw data::DataError("the training showers hold no energy");
    ShowerSets sets;
    sets.training = scaled(training, 1 / visible, "training");
    // The scaled sums average 1, so the response is 1 over the mean scaled energy.
    double energies = 0;
    for (float energy : sets.training->targets) energies += energy;
    sets.response = static_cast<double>(sets.training->size()) / energies;
    const bool has_test = source.simulated > 0 ? source.simulated_test > 0 : !source.test_path.empty();
    sets.test = has_test ? scaled(showers_from(source, true), 1 / visible, "test") : std::make_shared<data::Dataset>();
    return sets;
}

}  // namespace hpopt::calo_gan
