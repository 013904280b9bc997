#pragma once
// What the fashion_mlp and fashion_cnn workloads share: the data (Fashion-MNIST by default, or
// any IDX or CSV set given by "data") and the activations.
#include <string>

#include "hpopt/data/dataset.hpp"
#include "hpopt/train/model_workload.hpp"
#include "hpopt/workload/parameter_reader.hpp"
#include "hpopt/train/trained_workload.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::fashion {

inline constexpr const char* default_data_dir = "/usr/share/datasets/fashion-mnist";

using workload::ParameterReader;

void add_activation(torch::nn::Sequential& model, const std::string& name);

class ImageClassifier : public train::ModelWorkload {
public:
    explicit ImageClassifier(const Json& options);
    std::shared_ptr<const data::Dataset> training_data() override;
    std::shared_ptr<const data::Dataset> test_data() override;

protected:
    const Json& options() const { return options_; }

private:
    Json options_;
    data::DataSpec data_;
};

// The options of an image classifier that give its model's defaults, by type.
struct ModelOptionKeys {
    std::vector<std::string> integers;   // >= 1
    std::vector<std::string> fractions;  // in [0, 1)
    std::vector<std::string> booleans;
};

// A plugin for an ImageClassifier: check() reads "data", "activation" and the model's options;
// `create` makes the model workload that the framework trains.
workload::Plugin image_classifier_plugin(const std::string& name, const ModelOptionKeys& keys,
                                         std::function<std::unique_ptr<train::ModelWorkload>(const Json&)> create);

}  // namespace hpopt::fashion
