#pragma once
// Pieces that every training algorithm uses: the optimizer from the hyper-parameters, each
// epoch's shuffle, the split of a batch among ranks, and evaluating a model on a set.
#include <torch/torch.h>

#include "hpopt/train/model_workload.hpp"
#include "hpopt/train/training_settings.hpp"

namespace hpopt::train {

// The workload's model for `params`, its initial weights drawn from `seed`; float32 only.
torch::nn::Sequential build_model(ModelWorkload& workload, const space::Params& params, std::uint64_t seed);

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainingParameters& h, const std::vector<torch::Tensor>& parameters);

// [begin, end) of rank's share of `count` items split as evenly as possible.
std::pair<std::int64_t, std::int64_t> share(std::int64_t count, int rank, int size);

// The epoch's order of the training samples: the same on every rank of the team.
torch::Tensor epoch_order(std::int64_t count, std::uint64_t seed);

// The loss and the count of misclassified samples (0 for regression) over a set of samples.
std::pair<float, float> loss_and_error_sums(ModelWorkload& workload, torch::nn::Sequential& model, const torch::Tensor& inputs,
                                            const torch::Tensor& targets, std::int64_t classes);

}  // namespace hpopt::train
