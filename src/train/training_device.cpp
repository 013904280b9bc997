#include "train/training_device.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <mpi.h>

#include "hpopt/log/log.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::train {
namespace {

// In every rank's log; a warning from the job's first training rank only (rank 1 under MPI, the
// coordinator being rank 0; rank 0 alone), not from every rank of a large job.
void say_gpus_unused() {
    constexpr const char* message = "GPUs are visible, but this libtorch was built without CUDA: training on the CPU";
    int initialized = 0, rank = 0;
    MPI_Initialized(&initialized);
    if (initialized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank <= 1) {
        log::warning("{}", message);
    } else {
        log::info("{}", message);
    }
}

}  // namespace

torch::Device training_device(const workload::Devices& devices) {
    std::optional<int> index;
    try {
        index = workload::device_index_for(devices, workload::node_local_rank(), workload::visible_devices());
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
        static bool said = false;
        if (!std::exchange(said, true)) say_gpus_unused();
        return torch::kCPU;
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (*index >= count) {
        throw workload::TrialFailure(fmt::format("training.devices: CUDA device {} chosen, but libtorch sees {}", *index, count));
    }
    return {torch::kCUDA, static_cast<torch::DeviceIndex>(*index)};
}

}  // namespace hpopt::train
