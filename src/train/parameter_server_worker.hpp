#pragma once
// A worker of a parameter-server fold team: ranks_per_worker ranks that train on the worker's
// shard of every epoch, each rank on its share of each batch, their gradients summed inside
// the worker. Its leader exchanges with the worker's master: Downpour every batch (the
// gradient; the central weights come back), GEM every batch (the energy-matched step), EASGD
// every communication_period local steps of the worker's own optimizers (one per phase of its
// learner) and at each epoch's end.
#include <optional>

#include "train/batch_sharing.hpp"
#include "train/energy_matching.hpp"
#include "train/parameter_server_parts.hpp"

namespace hpopt::train::parameter_server {

class Worker {
public:
    // `ranks`: this worker's own ranks.
    Worker(FoldReplica& replica, const cluster::TeamRoles& roles, const Team& ranks);

    void work(std::int64_t epochs_done);

    void save(torch::serialize::OutputArchive& archive);
    void restore(torch::serialize::InputArchive& archive);

private:
    bool leader() const { return roles_.rank_in_worker(replica_.team.rank()) == 0; }
    float local_step(const torch::Tensor& batch);
    bool exchange(bool end_of_epoch);
    void save_checkpoint(std::int64_t epoch);

    FoldReplica& replica_;
    const cluster::TeamRoles& roles_;
    Rule rule_;
    const Team& ranks_;
    std::optional<BatchSharing> batch_sharing_;  // sync_batch_norm: the worker's ranks split each batch
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers_;  // EASGD's local steps, one per phase
    std::optional<EnergyMatching> energy_matching_;       // GEM
    std::int64_t based_on_ = 0;
    float loss_since_ = 0, samples_since_ = 0;
};

}  // namespace hpopt::train::parameter_server
