#pragma once
// A model or adversarial workload as the coordinator sees it: a Workload whose evaluate()
// trains a fold with every rank of the fold team, as the spec's "training" says. No torch in
// this header.
#include <memory>
#include <optional>

#include "hpopt/train/training_settings.hpp"
#include "hpopt/workload/plugin.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::train {

std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<ModelWorkload> model, const TrainingSettings& settings);
std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<AdversarialWorkload> pair, const TrainingSettings& settings);

// The workload of a spec's plugin: the plugin's own, or its model trained by the framework.
std::unique_ptr<workload::Workload> make_workload(const workload::Plugin& plugin, const Json& options,
                                                  const space::Space& space, const TrainingSettings& settings);

}  // namespace hpopt::train
