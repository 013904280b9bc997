#pragma once
// A model's parameters as views of one flat buffer, and a flat exchange buffer that one
// collective moves whole. Backward writes fresh gradient tensors (cheaper than accumulating
// into views); gather_gradients() copies them into the exchange buffer, and after the collective
// use_exchange_as_gradients() gives them to the parameters, so that the optimizer steps with
// whatever the collective left there.
// The parameters live where the model computes; the exchange buffer in host memory, where MPI
// moves it (on the CPU the parameters' gradients are views of it; on a GPU, of a flat buffer
// there that takes a copy). It has two extra slots at its end that travel with it: the loss sum,
// and a second one that all-reduce uses for the first rank's stop request and a parameter
// server's updates for their sample count.
#include <torch/torch.h>

namespace hpopt::train {

class FlatModel {
public:
    explicit FlatModel(torch::nn::Module& model);

    torch::Tensor& parameters() { return parameters_; }  // [size()], on the model's device
    torch::Tensor& exchange() { return exchange_; }      // [size() + 2] in host memory: values, then the two slots
    std::int64_t size() const { return size_; }
    float& loss_slot() { return exchange_.data_ptr<float>()[size_]; }
    // The second slot, by its two uses.
    float& request_slot() { return exchange_.data_ptr<float>()[size_ + 1]; }
    float& sample_count_slot() { return exchange_.data_ptr<float>()[size_ + 1]; }
    // A copy of the parameters in host memory.
    torch::Tensor parameters_on_host() const { return parameters_.to(torch::kCPU, false, true); }

    // Before a backward pass: no gradients, so that backward creates them.
    void clear_gradients();
    // After it: the gradients into the exchange buffer (zero for a parameter without one).
    void gather_gradients();
    // The exchange buffer's values as the parameters' gradients, for the optimizer's next step.
    void use_exchange_as_gradients();

private:
    bool on_cpu() const { return parameters_.is_cpu(); }

    std::int64_t size_ = 0;
    std::vector<torch::Tensor> parameter_list_;
    torch::Tensor parameters_;
    torch::Tensor exchange_;
    torch::Tensor device_gradients_;  // [size()] on a GPU: the parameters' gradients
};

}  // namespace hpopt::train
