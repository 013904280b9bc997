#pragma once
// Asynchronous training with one master: the fold team's first rank holds the central model,
// the others are workers that train on their shards of each epoch and exchange with the master,
// each at its own pace, in the order their messages arrive.
//   downpour: a worker sends the gradient of each batch and gets the central weights back; the
//             master steps its own optimizer with the gradient (weighed by its staleness).
//   easgd:    a worker steps its own optimizer and every communication_period steps sends its
//             weights; the master moves the centre towards them by the elastic force and sends
//             the difference back, which the worker subtracts.
// The master validates the central model whenever the workers have seen an epoch's samples.
#include "hpopt/train/fold_trainer.hpp"

namespace hpopt::train {

FoldTraining train_with_parameter_server(ModelWorkload& workload, const TrainingSettings& settings,
                                         const space::Params& params, const FoldData& data,
                                         const workload::TrialContext& context);

}  // namespace hpopt::train
