#pragma once
// What a model author implements for the framework to train (includes torch: include it only
// in plugins and in the train module). The framework owns the loop, the distribution over
// ranks, the folds, the FoM and the checkpoints; the workload gives the data and the model.
#include <memory>

#include <torch/torch.h>

#include "hpopt/data/dataset.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::train {

class ModelWorkload {
public:
    virtual ~ModelWorkload() = default;

    // The data that the framework splits into training and validation folds (data::load
    // reads each file once per process).
    virtual std::shared_ptr<const data::Dataset> training_data() = 0;
    // Never used for the FoM: the best trial is evaluated on it at the end. May be empty.
    virtual std::shared_ptr<const data::Dataset> test_data() = 0;

    // A fresh model for a trial's parameters; torch's generator is seeded from the trial before
    // the call, so the initial weights depend on the trial's seed only. Its input is a batch of
    // samples of the data's sample_shape; its output, for classification, one logit per class.
    virtual torch::nn::Sequential build_model(const space::Params& params) = 0;

    // The loss of a batch summed over its samples (the framework divides by the batch size of
    // the whole team). By default: cross-entropy for a classification set, squared error
    // otherwise.
    virtual torch::Tensor loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets, std::int64_t classes);

    // For people: the model's kind, "Fashion-MNIST MLP".
    virtual std::string description() const = 0;
};

}  // namespace hpopt::train
