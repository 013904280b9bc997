#pragma once
// What the training algorithms train on one rank, whatever the workload: a module whose
// parameters make the flat buffer, trained in phases per batch — one for a model (its loss),
// two for an adversarial pair (the discriminator's step, then the generator's) — each phase
// with its own optimizer over its own block of the flat buffer; and its validation figures,
// from sums that add up over ranks.
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "hpopt/train/adversarial_workload.hpp"
#include "hpopt/train/fold_trainer.hpp"

namespace hpopt::train {

struct PipelinePlace;

struct Phase {
    std::int64_t begin = 0, end = 0;  // its parameters' block in the flat buffer
    std::vector<torch::Tensor> parameters;
    double lr = 0;                    // its learning rate before scaling
};

class Learner {
public:
    virtual ~Learner() = default;

    virtual torch::nn::Module& module() = 0;
    // In the order of a batch's steps; the last phase's block ends the flat buffer.
    const std::vector<Phase>& phases() const { return phases_; }
    const FoldData& data() const { return data_; }
    // Where the module computes; the fold's data stays in host memory, each batch copied there.
    torch::Device device() const { return device_; }

    // Forward and backward of `phase` on the training samples at `indices`: the gradients of the
    // loss summed over them divided by `divisor`. Returns the loss sum.
    virtual float backward(std::size_t phase, const torch::Tensor& indices, std::int64_t divisor) = 0;

    // Sums over the validation samples [from, to) that add up over ranks, then the loss (the
    // figure of merit of an adversarial pair) and the error (1 - accuracy; 0 where there is
    // none) from the sums over all of them.
    virtual std::vector<double> validation_sums(std::int64_t from, std::int64_t to) = 0;
    virtual std::pair<double, double> validation_figures(const std::vector<double>& sums) const = 0;
    // After validation_figures: what the FoM is made of, for the journal (null for nothing).
    virtual Json validation_details() const { return nullptr; }

    // The whole model's parameters (a pipeline stage holds some of them).
    virtual std::int64_t parameter_count();
    // Where this rank's stage sits when the learner is a pipeline's stage; null otherwise.
    virtual const PipelinePlace* pipeline() const { return nullptr; }

    // One optimizer per phase, from the trial's hyper-parameters and the phase's rate; of the
    // learner's default kind unless the hyper-parameters name one.
    std::vector<std::unique_ptr<torch::optim::Optimizer>> make_optimizers(const TrainingParameters& hyper) const;

protected:
    Learner(const FoldData& data, std::string default_optimizer, torch::Device device)
        : data_(data), default_optimizer_(std::move(default_optimizer)), device_(device) {}
    // Phases over `parameters` lists, each a contiguous block of the module's parameters (moved
    // to the device first).
    void set_phases(std::vector<std::pair<std::vector<torch::Tensor>, double>> parameters_and_rates);
    torch::Tensor on_device(const torch::Tensor& values) const { return values.to(device_); }

private:
    const FoldData& data_;
    std::string default_optimizer_;
    torch::Device device_;
    std::vector<Phase> phases_;
};

// A fold's learner on `device`, its initial weights drawn from `seed`.
std::unique_ptr<Learner> make_learner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                      const FoldData& data, std::uint64_t seed, torch::Device device);
std::unique_ptr<Learner> make_learner(AdversarialWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                      const FoldData& data, std::uint64_t seed, torch::Device device);

// The validation loss and error of a learner over its whole validation set, alone.
std::pair<double, double> validate_alone(Learner& learner);

}  // namespace hpopt::train
