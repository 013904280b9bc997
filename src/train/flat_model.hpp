#pragma once
// A model's parameters as views of one flat buffer, and their gradients as views of another,
// so that one collective moves them all. The gradient buffer has two extra slots at its end
// that travel with every all-reduce: the ranks' loss sums and the first rank's stop request.
#include <torch/torch.h>

namespace hpopt::train {

class FlatModel {
public:
    explicit FlatModel(torch::nn::Module& model);

    torch::Tensor& parameters() { return parameters_; }  // [size()]
    torch::Tensor& exchange() { return exchange_; }      // [size() + 2]: gradients, loss sum, stop
    std::int64_t size() const { return size_; }
    float& loss_slot() { return exchange_.data_ptr<float>()[size_]; }
    float& stop_slot() { return exchange_.data_ptr<float>()[size_ + 1]; }

    // Zeroes the gradients and the two slots (Optimizer::zero_grad cannot: they are views).
    void zero_exchange() { exchange_.zero_(); }

private:
    std::int64_t size_ = 0;
    torch::Tensor parameters_;
    torch::Tensor exchange_;
};

}  // namespace hpopt::train
