#pragma once
// A pipeline's plan (training.parallelism "pipeline"): which of a model's layers each stage
// holds, and the order in which a stage runs its micro-batches' forward and backward passes.
// No torch: the layers are given by their parameter counts.
#include <cstdint>
#include <vector>

#include "hpopt/train/training_settings.hpp"

namespace hpopt::train {

// The count of layers in each of `stages` consecutive stages, the largest stage's parameter count
// as small as it can be. A stage begins at a layer with parameters (a layer without, an
// activation, stays with the layer before it) and holds at least one. Throws
// std::invalid_argument when fewer layers than stages have parameters.
std::vector<std::int64_t> balanced_stages(const std::vector<std::int64_t>& layer_parameters, int stages);

// The spec's `stage_layers` checked against the model: as many layers as it has, and a parameter
// in every stage; std::invalid_argument naming the fault otherwise.
void check_stages(const std::vector<std::int64_t>& stage_layers, const std::vector<std::int64_t>& layer_parameters);

struct Pass {
    enum class Direction { forward, backward };
    Direction direction;
    std::int64_t micro_batch;

    bool operator==(const Pass& other) const { return direction == other.direction && micro_batch == other.micro_batch; }
};

// The passes of one step on `stage` (from 0) of `stages`, over `micro_batches` micro-batches, in
// order; every micro-batch's backward pass comes after its forward pass, and both go in
// micro-batch order.
std::vector<Pass> pass_order(PipelineSchedule schedule, int stage, int stages, std::int64_t micro_batches);

}  // namespace hpopt::train
