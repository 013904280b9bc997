#pragma once
// What the author of a generative adversarial workload implements (includes torch: include it
// only in plugins and in the train module). The framework trains it like a model — the same
// algorithms (allreduce with any averaging, easgd), folds, checkpoints and figures — in two
// phases per batch: a step of the discriminator, then a step of the generator, each network
// with its own optimizer. Its figure of merit compares generated samples with held-out real
// ones at the same conditions (a physics distance for calorimeter showers).
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "hpopt/config/json.hpp"
#include "hpopt/data/dataset.hpp"
#include "hpopt/space/space.hpp"

namespace hpopt::train {

// A generator and a discriminator for one trial, registered as this module's children: the
// discriminator first, then the generator (so that each network's parameters are one block of
// the flat buffer, in the order of their steps).
class AdversarialPair : public torch::nn::Module {
public:
    virtual std::vector<torch::Tensor> generator_parameters() = 0;
    virtual std::vector<torch::Tensor> discriminator_parameters() = 0;

    // Losses summed over a batch: the discriminator's on `real` samples and fakes generated for
    // the same `conditions` (a sample's target in the data, e.g. its incident energy); the
    // generator's on fakes generated for `conditions`.
    virtual torch::Tensor discriminator_loss_sum(const torch::Tensor& real, const torch::Tensor& conditions) = 0;
    virtual torch::Tensor generator_loss_sum(const torch::Tensor& conditions) = 0;
    // Samples for `conditions`, without gradients.
    virtual torch::Tensor generate(const torch::Tensor& conditions) = 0;
};

// The figure of merit of generated samples against real ones, built from sums that add up over
// parts of the samples, so that the ranks of a team can share the work.
class SampleComparison {
public:
    virtual ~SampleComparison() = default;
    // A part of the set: samples generated for `conditions` and the real ones.
    virtual void add(const torch::Tensor& generated, const torch::Tensor& real, const torch::Tensor& conditions) = 0;
    // The sums so far, to be summed over ranks in place.
    virtual std::vector<double>& sums() = 0;
    virtual double figure_of_merit() const = 0;  // lower is better
    // What the FoM is made of, for the journal's epoch records ("fom_terms"); null for nothing.
    virtual Json details() const { return nullptr; }
};

class AdversarialWorkload {
public:
    virtual ~AdversarialWorkload() = default;

    // Real samples with their conditions as targets (regression data, classes = 0).
    virtual std::shared_ptr<const data::Dataset> training_data() = 0;
    virtual std::shared_ptr<const data::Dataset> test_data() = 0;  // may be empty

    // The networks for a trial's parameters; torch's generator is seeded from the trial first.
    virtual std::shared_ptr<AdversarialPair> build(const space::Params& params) = 0;
    // A network's learning rate for the trial: `lr` (the training's) unless the workload has
    // its own parameter for it.
    virtual double generator_lr(const space::Params& params, double lr) const { (void)params; return lr; }
    virtual double discriminator_lr(const space::Params& params, double lr) const { (void)params; return lr; }

    // A comparison of generated with real samples for a set with these conditions (all of them,
    // so that it can bin them alike on every rank).
    virtual std::unique_ptr<SampleComparison> comparison(const torch::Tensor& conditions) = 0;

    virtual std::string fom_name() const = 0;     // "physics distance"
    virtual std::string description() const = 0;  // "3D calorimeter GAN"
};

}  // namespace hpopt::train
