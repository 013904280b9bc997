#pragma once
// A small classification problem for the training tests: three Gaussian blobs in 8 dimensions,
// a 8-16-3 network (`width` instead of 16, and `hidden` more layers of that width).
#include "hpopt/random/rng.hpp"
#include "hpopt/train/model_workload.hpp"

namespace hpopt::testing {

inline std::shared_ptr<const data::Dataset> blobs(std::size_t count, std::uint64_t seed) {
    auto dataset = std::make_shared<data::Dataset>();
    dataset->sample_shape = {8};
    dataset->classes = 3;
    random::Rng rng(seed);
    for (std::size_t i = 0; i < count; ++i) {
        const int label = static_cast<int>(i % 3);
        for (int d = 0; d < 8; ++d) dataset->features.push_back(static_cast<float>((d % 3 == label ? 1.5 : 0.0) + rng.normal()));
        dataset->targets.push_back(static_cast<float>(label));
    }
    return dataset;
}

class BlobsWorkload : public train::ModelWorkload {
public:
    explicit BlobsWorkload(std::shared_ptr<const data::Dataset> data = blobs(600, 7)) : data_(std::move(data)) {}

    std::shared_ptr<const data::Dataset> training_data() override { return data_; }
    std::shared_ptr<const data::Dataset> test_data() override { return blobs(300, 8); }
    std::string description() const override { return "blobs"; }

    torch::nn::Sequential build_model(const space::Params& params) override {
        const std::int64_t width = params.value("width", 16);
        torch::nn::Sequential model{torch::nn::Linear(8, width), torch::nn::ReLU()};
        for (int i = 0; i < params.value("hidden", 0); ++i) {
            model->push_back(torch::nn::Linear(width, width));
            model->push_back(torch::nn::ReLU());
        }
        if (params.value("dropout", 0.0) > 0) model->push_back(torch::nn::Dropout(params.value("dropout", 0.0)));
        model->push_back(torch::nn::Linear(width, 3));
        return model;
    }

private:
    std::shared_ptr<const data::Dataset> data_;
};

}  // namespace hpopt::testing
