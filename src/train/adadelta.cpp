#include "train/adadelta.hpp"

#include <string>

namespace hpopt::train {

Adadelta::Adadelta(const std::vector<torch::Tensor>& parameters, const AdadeltaOptions& options)
    : torch::optim::Optimizer({torch::optim::OptimizerParamGroup(parameters)}, std::make_unique<AdadeltaOptions>(options)) {
    for (const torch::Tensor& parameter : parameters) {
        means_.push_back({torch::zeros_like(parameter), torch::zeros_like(parameter)});
    }
}

torch::Tensor Adadelta::step(LossClosure closure) {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
        torch::AutoGradMode enabled(true);
        loss = closure();
    }
    const auto& options = static_cast<const AdadeltaOptions&>(param_groups().front().options());
    const std::vector<torch::Tensor>& parameters = param_groups().front().params();
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        if (!parameters[i].grad().defined()) continue;
        torch::Tensor gradient = parameters[i].grad();
        if (options.weight_decay() != 0) gradient = gradient + options.weight_decay() * parameters[i];
        Means& means = means_[i];
        means.square_avg.mul_(options.rho()).addcmul_(gradient, gradient, 1 - options.rho());
        const torch::Tensor update =
            (means.acc_delta + options.eps()).sqrt_().div_((means.square_avg + options.eps()).sqrt_()).mul_(gradient);
        means.acc_delta.mul_(options.rho()).addcmul_(update, update, 1 - options.rho());
        parameters[i].add_(update, -options.lr());
    }
    return loss;
}

void Adadelta::save(torch::serialize::OutputArchive& archive) const {
    for (std::size_t i = 0; i < means_.size(); ++i) {
        archive.write("square_avg." + std::to_string(i), means_[i].square_avg);
        archive.write("acc_delta." + std::to_string(i), means_[i].acc_delta);
    }
}

void Adadelta::load(torch::serialize::InputArchive& archive) {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < means_.size(); ++i) {
        torch::Tensor saved;
        archive.read("square_avg." + std::to_string(i), saved);
        means_[i].square_avg.copy_(saved);
        archive.read("acc_delta." + std::to_string(i), saved);
        means_[i].acc_delta.copy_(saved);
    }
}

}  // namespace hpopt::train
