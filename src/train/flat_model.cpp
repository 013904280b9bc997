#include "flat_model.hpp"

namespace hpopt::train {

FlatModel::FlatModel(torch::nn::Module& model) {
    std::vector<torch::Tensor> parameters = model.parameters();
    for (const auto& p : parameters) size_ += p.numel();
    parameters_ = torch::empty({size_});
    exchange_ = torch::zeros({size_ + 2});
    torch::NoGradGuard no_grad;
    std::int64_t offset = 0;
    for (auto& p : parameters) {
        const std::int64_t n = p.numel();
        torch::Tensor values = parameters_.slice(0, offset, offset + n);
        values.copy_(p.detach().reshape({n}));
        p.set_data(values.view_as(p));
        p.mutable_grad() = exchange_.slice(0, offset, offset + n).view_as(p);
        offset += n;
    }
}

}  // namespace hpopt::train
