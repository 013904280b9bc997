#include "image_classifier.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace hpopt::fashion {
namespace {

// The activations by name, each with what adds it to a model.
using AddActivation = void (*)(torch::nn::Sequential& model);
const std::vector<std::pair<std::string, AddActivation>> activations = {
    {"relu", [](torch::nn::Sequential& model) { model->push_back(torch::nn::ReLU()); }},
    {"tanh", [](torch::nn::Sequential& model) { model->push_back(torch::nn::Tanh()); }},
    {"gelu", [](torch::nn::Sequential& model) { model->push_back(torch::nn::GELU()); }},
    {"leaky_relu", [](torch::nn::Sequential& model) { model->push_back(torch::nn::LeakyReLU()); }},
};

const AddActivation* find_activation(const std::string& name) {
    for (const auto& [known, add] : activations) {
        if (known == name) return &add;
    }
    return nullptr;
}

std::string activation_names() {
    std::vector<std::string> names;
    for (const auto& entry : activations) names.push_back(entry.first);
    return fmt::format("{}", fmt::join(names, ", "));
}

// The "data" object of the workload's options, its problems reported to `reader`.
data::DataSpec read_data(config::ObjectReader& reader) {
    if (auto data = reader.object("data")) {
        data::DataSpec spec = data::read_data_spec(*data, default_data_dir);
        data->finish();
        return spec;
    }
    if (!std::filesystem::exists(default_data_dir)) {
        reader.report_here(fmt::format("no \"data\" given, and Fashion-MNIST is not in {} (Debian package dataset-fashion-mnist)",
                                       default_data_dir));
    }
    data::DataSpec spec;
    spec.path = default_data_dir;
    return spec;
}

// Options that passed the plugin's check.
data::DataSpec checked_data(const Json& options) {
    config::Problems problems;
    config::ObjectReader reader(options, "workload", problems);
    return read_data(reader);
}

}  // namespace

void add_activation(torch::nn::Sequential& model, const std::string& name) {
    const AddActivation* add = find_activation(name);
    if (!add) throw workload::TrialFailure(fmt::format("unknown activation \"{}\" (known: {})", name, activation_names()));
    (*add)(model);
}

ImageClassifier::ImageClassifier(const Json& options) : options_(options), data_(checked_data(options)) {}

std::shared_ptr<const data::Dataset> ImageClassifier::training_data() { return data::load(data_, data::Split::train); }

std::shared_ptr<const data::Dataset> ImageClassifier::test_data() {
    if (data_.format == "csv" && data_.test_path.empty()) return nullptr;
    return data::load(data_, data::Split::test);
}

workload::Plugin image_classifier_plugin(const std::string& name, const ModelOptionKeys& keys,
                                         std::function<std::unique_ptr<train::ModelWorkload>(const Json&)> create) {
    const auto check = [keys](config::ObjectReader& reader, const space::Space*) {
        reader.string("plugin");
        read_data(reader);
        for (const auto& key : keys.integers) {
            if (const auto value = reader.integer(key); value && *value < 1) reader.report(key, "must be >= 1");
        }
        for (const auto& key : keys.fractions) {
            if (const auto value = reader.number(key); value && (*value < 0 || *value >= 1)) reader.report(key, "must be in [0, 1)");
        }
        for (const auto& key : keys.booleans) reader.boolean(key);
        if (const auto activation = reader.string("activation"); activation && !find_activation(*activation)) {
            reader.report("activation", "must be one of " + activation_names());
        }
    };
    return train::model_plugin(name, check, [create](const Json& options, const space::Space&) { return create(options); });
}

}  // namespace hpopt::fashion
