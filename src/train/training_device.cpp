#include "train/training_device.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "hpopt/log/log.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::train {

torch::Device training_device(const workload::Devices& devices) {
    const int local_rank = workload::node_local_rank();
    std::optional<int> index;
    try {
        index = workload::device_index_for(devices, local_rank, workload::visible_devices());
    } catch (const std::invalid_argument& error) {
        throw workload::TrialFailure(fmt::format("training.devices: {}", error.what()));
    }
    if (!index) return torch::kCPU;
    if (!torch::cuda::is_available()) {
        if (devices.kind == workload::Devices::Kind::listed) {
            throw workload::TrialFailure(
                "training.devices lists GPUs, but this libtorch was built without CUDA (build hpopt with -Dlibtorch=DIR, see "
                "docs/workloads.md)");
        }
        static bool warned = false;  // once per node
        if (!std::exchange(warned, true) && local_rank == 0) {
            log::warning("this node has GPUs, but this libtorch was built without CUDA: training on the CPU");
        }
        return torch::kCPU;
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (*index >= count) {
        throw workload::TrialFailure(fmt::format("training.devices: CUDA device {} chosen, but libtorch sees {}", *index, count));
    }
    return {torch::kCUDA, static_cast<torch::DeviceIndex>(*index)};
}

}  // namespace hpopt::train
