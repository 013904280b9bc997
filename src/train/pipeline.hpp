#pragma once
// A model split into consecutive stages over a worker's ranks (training.parallelism
// "pipeline"): each rank learns its stage; micro-batches' activations go forward and their
// gradients backward by point-to-point messages between neighbouring stages. The all-reduce
// training above it treats a worker as one learner: the same stage of every worker sums its
// gradients.
#include <memory>

#include "train/learner.hpp"
#include "train/team.hpp"

namespace hpopt::train {

// Where a rank sits in a team whose workers' ranks are pipelines.
struct PipelinePlace {
    // Collective over `team`: consecutive runs of `stages` ranks make a pipeline.
    PipelinePlace(const Team& team, int stages);

    Team pipeline;  // the worker's ranks; its rank is the stage
    Team stage;     // this stage in every worker; its rank is the worker
};

// A fold's learner for one stage of `settings.pipeline` over the workers of `team` (collective),
// on `device`, the whole model's initial weights drawn from `seed` as make_learner draws them.
std::unique_ptr<Learner> make_pipeline_learner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                               const FoldData& data, std::uint64_t seed, const TrainingSettings& settings,
                                               const Team& team, torch::Device device);

}  // namespace hpopt::train
