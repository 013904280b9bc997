#include "train/batch_sharing.hpp"

#include "hpopt/train/sync_batch_norm.hpp"

namespace hpopt::train {

BatchSharing::BatchSharing(torch::nn::Module& model, const Team& team)
    : model_(model), layers_team_(team.split(team.alone() ? MPI_UNDEFINED : 0)) {
    share_batches(model_, layers_team_.comm());
}

BatchSharing::~BatchSharing() { share_batches(model_, MPI_COMM_NULL); }

}  // namespace hpopt::train
