#pragma once
// Adadelta (Zeiler, "ADADELTA: an adaptive learning rate method", 2012), which Debian's
// libtorch 1.13 lacks, as torch's Python one computes it: per parameter, running means of the
// squared gradients and of the squared updates, the update their ratio's root times the
// gradient, scaled by lr (1 in the paper). Its state saves and loads with the optimizer.
#include <torch/torch.h>

namespace hpopt::train {

struct AdadeltaOptions : public torch::optim::OptimizerCloneableOptions<AdadeltaOptions> {
    explicit AdadeltaOptions(double lr = 1.0) : lr_(lr) {}
    TORCH_ARG(double, lr);
    TORCH_ARG(double, rho) = 0.9;
    TORCH_ARG(double, eps) = 1e-6;
    TORCH_ARG(double, weight_decay) = 0;

    double get_lr() const override { return lr(); }
    void set_lr(const double lr) override { this->lr(lr); }
};

class Adadelta : public torch::optim::Optimizer {
public:
    Adadelta(const std::vector<torch::Tensor>& parameters, const AdadeltaOptions& options);

    torch::Tensor step(LossClosure closure = nullptr) override;
    // The running means of each parameter, as square_avg.<i> and acc_delta.<i> (i: its place
    // in the parameter list).
    void save(torch::serialize::OutputArchive& archive) const override;
    void load(torch::serialize::InputArchive& archive) override;

private:
    struct Means {
        torch::Tensor square_avg, acc_delta;
    };
    std::vector<Means> means_;  // per parameter of the one group
};

}  // namespace hpopt::train
