#include "train/flat_model.hpp"

namespace hpopt::train {

FlatModel::FlatModel(torch::nn::Module& model) : parameter_list_(model.parameters()) {
    for (const auto& p : parameter_list_) size_ += p.numel();
    parameters_ = torch::empty({size_});
    exchange_ = torch::zeros({size_ + 2});
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
    std::int64_t offset = 0;
    for (auto& p : parameter_list_) {
        const std::int64_t n = p.numel();
        torch::Tensor slot = exchange_.slice(0, offset, offset + n);
        if (p.grad().defined()) {
            slot.copy_(p.grad().reshape({n}));
        } else {
            slot.zero_();
        }
        offset += n;
    }
    use_exchange_as_gradients();
}

void FlatModel::use_exchange_as_gradients() {
    std::int64_t offset = 0;
    for (auto& p : parameter_list_) {
        const std::int64_t n = p.numel();
        p.mutable_grad() = exchange_.slice(0, offset, offset + n).view_as(p);
        offset += n;
    }
}

}  // namespace hpopt::train
