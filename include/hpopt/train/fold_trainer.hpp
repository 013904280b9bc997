#pragma once
// Training one fold of a trial on a team of ranks, as the settings' algorithm says: by
// synchronous data parallelism (replicas of the model on every rank, one flat gradient buffer
// all-reduced per step, or with KAVG/MAVG the models averaged every few local steps) or with a
// parameter server. Checkpoints every epoch; continues from one.
#include <vector>

#include <torch/torch.h>

#include "hpopt/data/folds.hpp"
#include "hpopt/train/adversarial_workload.hpp"
#include "hpopt/train/model_workload.hpp"
#include "hpopt/train/training_settings.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::train {

// A fold's samples as tensors: inputs [n, sample_shape...]; targets int64 class indices for
// classification, float values otherwise.
struct FoldData {
    torch::Tensor training_inputs, training_targets;
    torch::Tensor validation_inputs, validation_targets;
    std::int64_t classes = 0;
};

FoldData fold_data(const data::Dataset& dataset, const data::FoldSplit& split);
// Every sample as inputs and targets (for a test set).
std::pair<torch::Tensor, torch::Tensor> tensors(const data::Dataset& dataset);

struct EpochRecord {
    std::int64_t epoch = 0;       // from 1
    double training_loss = 0;     // mean over the epoch's samples
    double validation_loss = 0;   // mean over the validation set
    double validation_error = 0;  // 1 - accuracy (classification; 0 otherwise)
};

struct FoldTraining {
    std::vector<EpochRecord> epochs;  // including those done before a checkpoint
    double fom = 0;                   // of the last epoch, as settings.fom says
    torch::Tensor parameters;         // the model's final weights, flat (a pipeline stage's: its own)
    std::int64_t parameter_count = 0;  // the model's (both networks' of an adversarial pair)
    double inference_s = 0;           // the trained model's forward pass per validation sample, on this rank
    double exchange_s = 0;            // all-reduce: what this rank's steps waited for the gradient exchange
};

// Trains `fold` with every rank of context.team (or alone); collective over the team, and every
// rank returns the same. Throws workload::TrialFailure on a NaN or infinite loss and at the
// context's deadline (the team's first rank decides, so that the ranks stop together).
FoldTraining train_fold(ModelWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                        const FoldData& data, const workload::TrialContext& context);
// An adversarial pair, the same way; its validation loss and error are both its figure of merit.
FoldTraining train_fold(AdversarialWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                        const FoldData& data, const workload::TrialContext& context);

}  // namespace hpopt::train
