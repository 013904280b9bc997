#include "train/flat_model.hpp"

namespace hpopt::train {

FlatModel::FlatModel(torch::nn::Module& model) : parameter_list_(model.parameters()) {
    for (const auto& p : parameter_list_) size_ += p.numel();
    const torch::Device device = parameter_list_.empty() ? torch::Device(torch::kCPU) : parameter_list_.front().device();
    parameters_ = torch::empty({size_}, torch::TensorOptions(device));
    exchange_ = torch::zeros({size_ + 2});
    if (!on_cpu()) device_gradients_ = torch::zeros({size_}, torch::TensorOptions(device));
    torch::NoGradGuard no_grad;
    std::int64_t offset = 0;
    for (auto& p : parameter_list_) {
        const std::int64_t n = p.numel();
        torch::Tensor values = parameters_.slice(0, offset, offset + n);
        values.copy_(p.detach().reshape({n}));
        p.set_data(values.view_as(p));
        offset += n;
    }
}

void FlatModel::clear_gradients() {
    for (auto& p : parameter_list_) p.mutable_grad() = torch::Tensor();
}

void FlatModel::gather_gradients() {
    torch::NoGradGuard no_grad;
    // On a GPU, gathered there first: one copy to host memory instead of one per parameter.
    torch::Tensor& gathered = on_cpu() ? exchange_ : device_gradients_;
    std::int64_t offset = 0;
    for (auto& p : parameter_list_) {
        const std::int64_t n = p.numel();
        torch::Tensor slot = gathered.slice(0, offset, offset + n);
        if (p.grad().defined()) {
            slot.copy_(p.grad().reshape({n}));
        } else {
            slot.zero_();
        }
        offset += n;
    }
    if (!on_cpu()) exchange_.slice(0, 0, size_).copy_(device_gradients_);
}

void FlatModel::use_exchange_as_gradients() {
    torch::NoGradGuard no_grad;
    torch::Tensor gradients = exchange_.slice(0, 0, size_);
    if (!on_cpu()) gradients = device_gradients_.copy_(gradients);
    std::int64_t offset = 0;
    for (auto& p : parameter_list_) {
        const std::int64_t n = p.numel();
        p.mutable_grad() = gradients.slice(0, offset, offset + n).view_as(p);
        offset += n;
    }
}

}  // namespace hpopt::train
