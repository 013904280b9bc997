#include "hpopt/train/fold_trainer.hpp"

#include "hpopt/workload/team.hpp"
#include "train/allreduce.hpp"
#include "train/fold_replica.hpp"
#include "train/learner.hpp"
#include "train/parameter_server.hpp"

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

// The fold's learner on every rank of the team, or the same failure on each when a rank could not
// build its model (before the training's first collective).
template <class Trainable>
FoldTraining train_on_team(Trainable& workload, const TrainingSettings& settings, const space::Params& params,
                           const FoldData& data, const workload::TrialContext& context) {
    const TrainingParameters hyper = resolve(settings.defaults, params);
    std::unique_ptr<Learner> learner;
    workload::as_team(context.team, [&] { learner = make_learner(workload, params, hyper, data, context.seed); });
    return train_learner(*learner, settings, hyper, params, context);
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
