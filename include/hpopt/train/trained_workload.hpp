#pragma once
// Plugins whose models the framework trains: a model or an adversarial workload made into a
// Workload whose evaluate() trains a fold with every rank of the fold team, as the spec's
// "training" says. A plugin module of these kinds links the training library; the hpopt
// executable does not (no torch in this header).
#include <functional>
#include <memory>

#include "hpopt/train/training_settings.hpp"
#include "hpopt/workload/plugin.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::train {

class ModelWorkload;
class AdversarialWorkload;

std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<ModelWorkload> model, const TrainingSettings& settings);
std::unique_ptr<workload::Workload> trained_workload(std::unique_ptr<AdversarialWorkload> pair, const TrainingSettings& settings);

// This process set up for training: torch's intra-op threads and OpenBLAS's (when it is the
// BLAS) `threads` each, and glibc's allocator keeping large blocks on its heap. Trained
// workloads call it; a program that calls train_fold itself should too.
void prepare_process_for_training(int threads);

using OptionsCheck = std::function<void(config::ObjectReader& options, const space::Space* space)>;

// The Plugin of a model workload: `check` reads its options, `create` makes the model workload
// for options that passed it, which the plugin's create() trains as the spec's "training" says.
workload::Plugin model_plugin(std::string name, OptionsCheck check,
                              std::function<std::unique_ptr<ModelWorkload>(const Json& options, const space::Space& space)> create);
// The same for a generative adversarial pair.
workload::Plugin adversarial_plugin(
    std::string name, OptionsCheck check,
    std::function<std::unique_ptr<AdversarialWorkload>(const Json& options, const space::Space& space)> create);

}  // namespace hpopt::train
