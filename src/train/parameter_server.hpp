#pragma once
// Asynchronous training with a parameter server (the fold team's layout: N_M masters, then
// N_W workers of ranks_per_worker ranks). The top master (team rank 0) holds the central model;
// workers train on their shards of each epoch and exchange with their master, each at its own
// pace, served in the order their messages arrive:
//   downpour: a worker sends the gradient of each batch and gets the central weights back; the
//             master steps its own optimizer with it (weighed by staleness; with sync_fraction,
//             one step per that fraction of the workers' gradients).
//   easgd:    a worker steps its own optimizer and every communication_period steps sends its
//             weights; the master moves the centre towards them by the elastic force and sends
//             the difference back, which the worker subtracts.
//   gem:      a worker sends its energy-matched step (energy_matching.hpp), which the master adds.
// Sub-masters serve a share of the workers each and exchange with the top master every
// sync_period updates (their displacement; their weights with EASGD). The top master validates
// the central model at each epoch's end, when every worker has sent its last update of the
// epoch; the team checkpoints there, and a fold continues from the last such epoch.
// A learner of several phases (an adversarial pair) trains with easgd only: its workers step
// each phase's optimizer, and the elastic exchange moves all of its parameters.
// parameter_server_master.hpp and parameter_server_worker.hpp hold the two roles.
#include "train/learner.hpp"

namespace hpopt::train {

FoldTraining train_with_parameter_server(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                                         const space::Params& params, const workload::TrialContext& context);

}  // namespace hpopt::train
