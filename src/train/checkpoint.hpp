#pragma once
// A fold's checkpoints: one file per rank of the team, fold-F.rank-R.pt in the trial's
// checkpoint directory, each holding what that rank needs to continue, the epoch it ends with
// and the trial's identity. Written whole or not at all (a partial file renamed into place).
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "hpopt/train/fold_trainer.hpp"

namespace hpopt::train {

// Where a fold's training stands: the epochs done, and the steps done in the next one (0 at an
// epoch's end; all-reduce training also checkpoints inside an epoch).
struct Position {
    std::int64_t epochs = 0;
    std::int64_t steps = 0;

    bool started() const { return epochs > 0 || steps > 0; }
};

class Checkpoint {
public:
    // Its tensors are read onto `device`, whatever device saved them: a fold trained on GPUs goes
    // on where there are none, and the other way round.
    Checkpoint(const workload::TrialContext& context, const space::Params& params, int team_rank, int team_size,
               torch::Device device);

    bool enabled() const { return !context_.checkpoint_dir.empty(); }

    // A new archive with the position and the identity filled in; then write it with save(),
    // which warns on stderr when it cannot.
    torch::serialize::OutputArchive start(Position position) const;
    void save(torch::serialize::OutputArchive& archive);
    // How long ago this rank last saved (or began the fold).
    double seconds_since_saved() const;

    // This rank's archive when it exists, belongs to this trial and team and is at a position
    // before the end of `last_epoch`; nothing otherwise (an unreadable file too: the fold starts
    // over). With `replicas_agree` (every rank held the same state when it saved), the team's
    // first rank's archive instead when a team of another size saved it.
    std::optional<torch::serialize::InputArchive> open(std::int64_t last_epoch, Position& position, bool replicas_agree) const;

private:
    // A rank's archive of this fold, at a position before the end of `last_epoch`.
    struct Saved {
        torch::serialize::InputArchive archive;
        Position position;
        std::int64_t team_size = 0;
    };
    std::optional<Saved> read(int rank, std::int64_t last_epoch) const;
    std::filesystem::path file(int rank) const;
    std::string identity() const;

    const workload::TrialContext& context_;
    const space::Params& params_;
    int team_rank_, team_size_;
    torch::Device device_;
    std::chrono::steady_clock::time_point saved_ = std::chrono::steady_clock::now();
};

// Optimizers with their state and their learning rates (torch's load keeps the options of the
// optimizer it loads into: the rates are put back by hand), as optimizer.0, optimizer.1...
void write_optimizers(torch::serialize::OutputArchive& archive, const std::vector<std::unique_ptr<torch::optim::Optimizer>>& optimizers);
void read_optimizers(torch::serialize::InputArchive& archive, std::vector<std::unique_ptr<torch::optim::Optimizer>>& optimizers);

// A module's buffers (batch normalization's running statistics), as buffer.<name>; a checkpoint
// without them (of a model that has none) leaves the module's as they are.
void write_buffers(torch::serialize::OutputArchive& archive, const torch::nn::Module& module);
void read_buffers(torch::serialize::InputArchive& archive, torch::nn::Module& module);

std::int64_t read_int(torch::serialize::InputArchive& archive, const char* key);
torch::Tensor read_tensor(torch::serialize::InputArchive& archive, const char* key);
torch::Tensor history_tensor(const std::vector<EpochRecord>& history);
std::vector<EpochRecord> history_from(const torch::Tensor& table);

}  // namespace hpopt::train
