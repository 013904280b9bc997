#include "hpopt/train/fold_trainer.hpp"

#include <algorithm>
#include <chrono>

#include "hpopt/cluster/layout.hpp"
#include "hpopt/workload/team.hpp"
#include "train/allreduce.hpp"
#include "train/fold_replica.hpp"
#include "train/learner.hpp"
#include "train/parameter_server.hpp"
#include "train/pipeline.hpp"
#include "train/training_device.hpp"

namespace hpopt::train {
namespace {

FoldTraining train_learner(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                           const space::Params& params, const workload::TrialContext& context) {
    if (settings.algorithm == Algorithm::allreduce) return train_with_allreduce(learner, settings, hyper, params, context);
    return train_with_parameter_server(learner, settings, hyper, params, context);
}

torch::Tensor inputs_of(const data::Dataset& dataset) {
    std::vector<std::int64_t> shape = {static_cast<std::int64_t>(dataset.size())};
    shape.insert(shape.end(), dataset.sample_shape.begin(), dataset.sample_shape.end());
    return torch::from_blob(const_cast<float*>(dataset.features.data()), shape, torch::kFloat).clone();
}

torch::Tensor targets_of(const data::Dataset& dataset) {
    const torch::Tensor targets =
        torch::from_blob(const_cast<float*>(dataset.targets.data()), {static_cast<std::int64_t>(dataset.size())}, torch::kFloat);
    return dataset.classes > 0 ? targets.to(torch::kLong) : targets.clone();
}

// The time a validation pass takes per sample, on up to 512 samples after a pass on 16 (the
// first allocations): what serving the model would cost, for objectives and constraints.
double inference_s_per_sample(Learner& learner) {
    const std::int64_t samples = std::min<std::int64_t>(learner.data().validation_inputs.size(0), 512);
    if (samples == 0) return 0;
    learner.validation_sums(0, std::min<std::int64_t>(samples, 16));
    const auto start = std::chrono::steady_clock::now();
    learner.validation_sums(0, samples);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / static_cast<double>(samples);
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> tensors(const data::Dataset& dataset) {
    return {inputs_of(dataset), targets_of(dataset)};
}

FoldData fold_data(const data::Dataset& dataset, const data::FoldSplit& split) {
    const data::Dataset training = dataset.subset(split.training);
    const data::Dataset validation = dataset.subset(split.validation);
    return {inputs_of(training), targets_of(training), inputs_of(validation), targets_of(validation), dataset.classes};
}

namespace {

// Where this rank trains: its GPU, if any; a parameter server's masters, which only apply
// updates that arrive in host memory, on the CPU.
torch::Device fold_device(const TrainingSettings& settings, const Team& team) {
    if (cluster::TeamRoles(settings.layout).is_master(team.rank())) return torch::kCPU;
    return training_device(settings.devices);
}

// A model workload's learner: the whole model, or this rank's stage of a pipeline.
std::unique_ptr<Learner> fold_learner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                      const FoldData& data, const TrainingSettings& settings, const Team& team,
                                      const workload::TrialContext& context) {
    const torch::Device device = fold_device(settings, team);
    if (settings.parallelism == Parallelism::pipeline) {
        return make_pipeline_learner(workload, params, hyper, data, context.seed, settings, team, device);
    }
    return make_learner(workload, params, hyper, data, context.seed, device);
}

std::unique_ptr<Learner> fold_learner(AdversarialWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                      const FoldData& data, const TrainingSettings& settings, const Team& team,
                                      const workload::TrialContext& context) {
    return make_learner(workload, params, hyper, data, context.seed, fold_device(settings, team));
}

// The fold's learner on every rank of the team, or the same failure on each when a rank could not
// build its model (before the training's first collective).
template <class Trainable>
FoldTraining train_on_team(Trainable& workload, const TrainingSettings& settings, const space::Params& params,
                           const FoldData& data, const workload::TrialContext& context) {
    const TrainingParameters hyper = resolve(settings.defaults, params);
    std::unique_ptr<Learner> learner;
    const Team team(context.team);
    workload::as_team(context.team, [&] { learner = fold_learner(workload, params, hyper, data, settings, team, context); });
    FoldTraining training = train_learner(*learner, settings, hyper, params, context);
    training.parameter_count = learner->parameter_count();
    training.inference_s = inference_s_per_sample(*learner);
    return training;
}

}  // namespace

FoldTraining train_fold(ModelWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                        const FoldData& data, const workload::TrialContext& context) {
    return train_on_team(workload, settings, params, data, context);
}

FoldTraining train_fold(AdversarialWorkload& workload, const TrainingSettings& settings, const space::Params& params,
                        const FoldData& data, const workload::TrialContext& context) {
    return train_on_team(workload, settings, params, data, context);
}

}  // namespace hpopt::train
