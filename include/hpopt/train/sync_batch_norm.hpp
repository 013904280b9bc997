#pragma once
// Batch normalization over the channels (dimension 1) of [N, C, ...] inputs, for a model that
// a team may train with each rank taking a share of every batch. Once the framework says which
// ranks share batches (share_batches_with), the batch statistics are summed over them in the
// forward pass and their gradients in the backward pass, so that a team of n ranks with batch
// B each trains the model one rank would train with batch n B, and the running statistics (in
// evaluation mode the layer uses them alone) agree on every rank. Alone, it is plain batch
// normalization (the statistics of the rank's own batch, biased variance to normalize,
// unbiased for the running variance, as torch::nn::BatchNorm does).
#include <mpi.h>

#include <torch/torch.h>

namespace hpopt::train {

class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl> {
public:
    explicit SyncBatchNormImpl(std::int64_t features, double momentum = 0.1, double eps = 1e-5);

    void reset() override;
    torch::Tensor forward(const torch::Tensor& input);

    // The ranks whose shares of each batch this layer normalizes together; MPI_COMM_NULL: this
    // rank's share alone. Every rank of `team` must run the layer's forward and backward passes
    // in training mode together.
    void share_batches_with(MPI_Comm team) { team_ = team; }

    torch::Tensor weight, bias, running_mean, running_var;

private:
    std::int64_t features_;
    double momentum_, eps_;
    MPI_Comm team_ = MPI_COMM_NULL;
};
TORCH_MODULE(SyncBatchNorm);

// Every SyncBatchNorm of `model` normalizes over `team` (MPI_COMM_NULL: each rank alone).
void share_batches(torch::nn::Module& model, MPI_Comm team);

}  // namespace hpopt::train
