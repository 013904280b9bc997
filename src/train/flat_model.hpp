#pragma once
// A model's parameters as views of one flat buffer, and a flat gradient buffer that one
// collective moves whole. Backward writes fresh gradient tensors (cheaper than accumulating
// into views); gather_gradients() copies them into the buffer and makes the parameters'
// gradients views of it, so that the optimizer steps with whatever the collective left there.
// The buffer has two extra slots at its end that travel with it: the loss sum, and a second
// one that all-reduce uses for the first rank's stop request and a parameter server's updates
// for their sample count.
#include <torch/torch.h>

namespace hpopt::train {

class FlatModel {
public:
    explicit FlatModel(torch::nn::Module& model);

    torch::Tensor& parameters() { return parameters_; }  // [size()]
    torch::Tensor& exchange() { return exchange_; }      // [size() + 2]: values, then the two slots
    std::int64_t size() const { return size_; }
    float& loss_slot() { return exchange_.data_ptr<float>()[size_]; }
    // The second slot, by its two uses.
    float& request_slot() { return exchange_.data_ptr<float>()[size_ + 1]; }
    float& sample_count_slot() { return exchange_.data_ptr<float>()[size_ + 1]; }

    // Before a backward pass: no gradients, so that backward creates them.
    void clear_gradients();
    // After it: the gradients into the exchange buffer (zero for a parameter without one).
    void gather_gradients();
    // The exchange buffer as the parameters' gradients, for the optimizer's next step.
    void use_exchange_as_gradients();

private:
    std::int64_t size_ = 0;
    std::vector<torch::Tensor> parameter_list_;
    torch::Tensor parameters_;
    torch::Tensor exchange_;
};

}  // namespace hpopt::train
