// The fashion_mlp workload: a multi-layer perceptron classifying Fashion-MNIST images.
// Hyper-parameters (trial parameters, or workload options as defaults): layers (hidden layers,
// 2), width (the first hidden layer's, 256; each next one half as wide, at least 16), dropout
// (0), activation (relu).
#include <fmt/format.h>

#include "image_classifier.hpp"

namespace hpopt::fashion {
namespace {

class FashionMlp : public ImageClassifier {
public:
    using ImageClassifier::ImageClassifier;

    std::string description() const override { return "Fashion-MNIST MLP"; }

    torch::nn::Sequential build_model(const space::Params& params) override {
        const ParameterReader parameters(params, options());
        const auto data = training_data();
        const std::int64_t layers = parameters.integer("layers", 2);
        const double dropout = parameters.number("dropout", 0.0);
        const std::string activation = parameters.text("activation", "relu");
        torch::nn::Sequential model{torch::nn::Flatten()};
        std::int64_t inputs = static_cast<std::int64_t>(data->sample_size());
        std::int64_t width = parameters.integer("width", 256);
        for (std::int64_t layer = 0; layer < layers; ++layer) {
            model->push_back(torch::nn::Linear(inputs, width));
            add_activation(model, activation);
            if (dropout > 0) model->push_back(torch::nn::Dropout(dropout));
            inputs = width;
            width = std::max<std::int64_t>(width / 2, 16);
        }
        model->push_back(torch::nn::Linear(inputs, data->classes));
        return model;
    }
};

workload::Plugin describe() {
    return image_classifier_plugin("fashion_mlp", {{"layers", "width"}, {"dropout"}, {}},
                                   [](const Json& options) { return std::make_unique<FashionMlp>(options); });
}

}  // namespace
}  // namespace hpopt::fashion

HPOPT_PLUGIN(hpopt::fashion::describe)
