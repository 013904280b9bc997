#include "image_classifier.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace hpopt::fashion {
namespace {

const std::vector<std::string> activations = {"relu", "tanh", "gelu", "leaky_relu"};

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
    if (name == "relu") {
        model->push_back(torch::nn::ReLU());
    } else if (name == "tanh") {
        model->push_back(torch::nn::Tanh());
    } else if (name == "gelu") {
        model->push_back(torch::nn::GELU());
    } else if (name == "leaky_relu") {
        model->push_back(torch::nn::LeakyReLU());
    } else {
        throw workload::TrialFailure(fmt::format("unknown activation \"{}\" (known: relu, tanh, gelu, leaky_relu)", name));
    }
}

ImageClassifier::ImageClassifier(const Json& options) : options_(options), data_(checked_data(options)) {}

std::shared_ptr<const data::Dataset> ImageClassifier::training_data() { return data::load(data_, data::Split::train); }

std::shared_ptr<const data::Dataset> ImageClassifier::test_data() {
    if (data_.format == "csv" && data_.test_path.empty()) return nullptr;
    return data::load(data_, data::Split::test);
}

workload::Plugin image_classifier_plugin(const std::string& name, const std::vector<std::string>& integer_keys,
                                         const std::vector<std::string>& number_keys,
                                         std::function<std::unique_ptr<train::ModelWorkload>(const Json&)> create) {
    workload::Plugin plugin;
    plugin.name = name;
    plugin.check = [integer_keys, number_keys](config::ObjectReader& reader, const space::Space*) {
        reader.string("plugin");
        read_data(reader);
        for (const auto& key : integer_keys) {
            if (const auto value = reader.integer(key); value && *value < 1) reader.report(key, "must be >= 1");
        }
        for (const auto& key : number_keys) {
            if (const auto value = reader.number(key); value && (*value < 0 || *value >= 1)) reader.report(key, "must be in [0, 1)");
        }
        if (const auto activation = reader.string("activation");
            activation && std::find(activations.begin(), activations.end(), *activation) == activations.end()) {
            reader.report("activation", "must be one of relu, tanh, gelu, leaky_relu");
        }
    };
    plugin.create_model = [create](const Json& options, const space::Space&) { return create(options); };
    return plugin;
}

}  // namespace hpopt::fashion
