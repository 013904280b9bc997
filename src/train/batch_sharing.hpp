#pragma once
// A model's SyncBatchNorm layers normalizing over the ranks of a team that splits each batch,
// for as long as this lives; alone again after. The layers talk over a communicator of their
// own: a rank that fails before a layer's collective then leaves the others waiting there (the
// coordinator finds the group silent) instead of having its next gradient exchange matched with
// the layer's sums.
#include <torch/torch.h>

#include "train/team.hpp"

namespace hpopt::train {

class BatchSharing {
public:
    // Collective over `team`; shares nothing for a team of one.
    BatchSharing(torch::nn::Module& model, const Team& team);
    ~BatchSharing();
    BatchSharing(const BatchSharing&) = delete;
    BatchSharing& operator=(const BatchSharing&) = delete;

private:
    torch::nn::Module& model_;
    Team layers_team_;
};

}  // namespace hpopt::train
