// The fashion_cnn workload: a small convolutional network classifying Fashion-MNIST images.
// Hyper-parameters (trial parameters, or workload options as defaults): conv_layers (2; each a
// convolution, batch normalization when batch_norm is true (false), the activation and 2x2 max
// pooling), channels (the first convolution's, 16; doubled at each next one), kernel (3),
// width (the dense layer's, 64), dropout (0, before the dense layers), activation (relu).
// Its batch normalization is train::SyncBatchNorm: synchronized across a team that splits
// batches (training.sync_batch_norm).
#include <fmt/format.h>

#include "hpopt/train/sync_batch_norm.hpp"
#include "image_classifier.hpp"

namespace hpopt::fashion {
namespace {

class FashionCnn : public ImageClassifier {
public:
    using ImageClassifier::ImageClassifier;

    std::string description() const override { return "Fashion-MNIST CNN"; }

    torch::nn::Sequential build_model(const space::Params& params) override {
        const ParameterReader parameters(params, options());
        const auto data = training_data();
        if (data->sample_shape.size() != 3) throw workload::TrialFailure("fashion_cnn needs images: samples of channels x height x width");
        const std::string activation = parameters.text("activation", "relu");
        const std::int64_t kernel = parameters.integer("kernel", 3);
        const double dropout = parameters.number("dropout", 0.0);
        const bool batch_norm = parameters.boolean("batch_norm", false);
        std::int64_t channels = data->sample_shape[0], height = data->sample_shape[1], width = data->sample_shape[2];
        std::int64_t next_channels = parameters.integer("channels", 16);
        torch::nn::Sequential model;
        for (std::int64_t layer = 0; layer < parameters.integer("conv_layers", 2); ++layer) {
            if (height < 2 || width < 2) throw workload::TrialFailure("too many conv_layers for the image size");
            model->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, next_channels, kernel).padding(kernel / 2)));
            if (batch_norm) model->push_back(train::SyncBatchNorm(next_channels));
            add_activation(model, activation);
            model->push_back(torch::nn::MaxPool2d(2));
            height = (height + 2 * (kernel / 2) - kernel + 1) / 2;
            width = (width + 2 * (kernel / 2) - kernel + 1) / 2;
            channels = next_channels;
            next_channels *= 2;
        }
        model->push_back(torch::nn::Flatten());
        if (dropout > 0) model->push_back(torch::nn::Dropout(dropout));
        const std::int64_t dense = parameters.integer("width", 64);
        model->push_back(torch::nn::Linear(channels * height * width, dense));
        add_activation(model, activation);
        model->push_back(torch::nn::Linear(dense, data->classes));
        return model;
    }
};

workload::Plugin describe() {
    return image_classifier_plugin("fashion_cnn", {{"conv_layers", "channels", "kernel", "width"}, {"dropout"}, {"batch_norm"}},
                                   [](const Json& options) { return std::make_unique<FashionCnn>(options); });
}

}  // namespace
}  // namespace hpopt::fashion

HPOPT_PLUGIN(hpopt::fashion::describe)
