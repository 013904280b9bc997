#pragma once
// Synchronous data parallelism: every rank of the fold team holds a replica of the model. Each
// step, each rank takes its share of the team's batch and one flat gradient buffer is summed
// over the team (with the loss and the first rank's request in two slots after it); or,
// with KAVG/MAVG, each rank takes local steps on its shard of the epoch and the models are
// averaged every averaging_period steps and at the epoch's end (MAVG adds block momentum, Cong
// and Liu, arXiv 2110.00625). The learning rate may scale with the team (Goyal et al. 2017),
// reached over a warm-up. Every rank checkpoints each epoch, and inside an epoch when the first
// rank asks (training.checkpoint_every_s, an interruption, the deadline), at a step that left the
// replicas identical (after an average, with KAVG/MAVG): the sampler's position and the epoch's
// loss sum go with it, and each step reseeds torch's generator from the trial, the epoch, the rank
// and the step, so that a fold continued from there trains the same steps as one never stopped.
#include "train/fold_replica.hpp"

namespace hpopt::train {

FoldTraining train_with_allreduce(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                                  const space::Params& params, const workload::TrialContext& context);

}  // namespace hpopt::train
