#pragma once
// The device a rank's training computes on (workload/devices.hpp chooses it by the rank's place
// on its node), and MPI's access to tensors there: hpopt's MPI calls move host memory, so a
// tensor on a GPU travels through a copy in host memory.
#include <torch/torch.h>

#include "hpopt/workload/devices.hpp"

namespace hpopt::train {

// This process's device for `devices` (training.devices): the chosen CUDA device when libtorch
// has CUDA, else the CPU. Throws workload::TrialFailure for a listed device that the process does
// not see or cannot use.
torch::Device training_device(const workload::Devices& devices);

// Runs `use` on the values of `tensor` (contiguous float32) in host memory, where MPI reads and
// writes them: the tensor's own memory on the CPU; on a GPU a copy, copied back afterwards.
template <class Use>
void on_host(const torch::Tensor& tensor, Use&& use) {
    if (tensor.is_cpu()) return use(tensor.data_ptr<float>());
    const torch::Tensor host = tensor.cpu();
    use(host.data_ptr<float>());
    torch::NoGradGuard no_grad;
    tensor.copy_(host);
}

}  // namespace hpopt::train
