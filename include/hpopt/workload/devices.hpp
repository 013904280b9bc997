#pragma once
// Accelerators per rank: on a GPU node every rank of the job uses one device, chosen by the
// rank's place among the ranks of its node. A spec's "devices" says which devices: "auto" (those
// the launcher shows: CUDA_VISIBLE_DEVICES when set, else the node's /dev/nvidia<N>), "none" (no
// device: the CPU), or a list of device ids.
#include <optional>
#include <string>
#include <vector>

#include "hpopt/config/object_reader.hpp"

namespace hpopt::workload {

struct Devices {
    enum class Kind { automatic, none, listed };
    Kind kind = Kind::automatic;
    std::vector<std::string> listed;  // ids as CUDA_VISIBLE_DEVICES names them: "3", "GPU-8f1c..."
};

// The spec's "devices" under `key` of `reader` ("auto" when left out).
Devices read_devices(config::ObjectReader& reader, const std::string& key);

// Where hpopt's MPI start-up (cluster::MpiSession) leaves this process's rank among the job's
// ranks on its node, found by an MPI shared-memory split of the world.
constexpr const char* node_local_rank_variable = "HPOPT_NODE_LOCAL_RANK";

// This process's rank among the job's ranks on its node: as MPI found it, else from the
// launcher's variables (Open MPI's, MPICH's, MVAPICH's, Slurm's); 0 when nothing says.
int node_local_rank();

// The devices the launcher shows this process: CUDA_VISIBLE_DEVICES's entries when it is set
// (none when it is empty), else one per /dev/nvidia<N> (the node's NVIDIA GPUs).
std::vector<std::string> visible_devices();

// What CUDA_VISIBLE_DEVICES should say for the rank of `local_rank` on its node: one device,
// the (local_rank mod n)-th of the n chosen; "" for none; nullopt when "auto" finds none (the
// environment is then left as it is).
std::optional<std::string> device_for(const Devices& devices, int local_rank, const std::vector<std::string>& visible);

// Where the framework's own training (libtorch, in this process) computes on that rank: the
// device device_for chooses, as its index among `visible` (the process's CUDA devices are
// numbered in that order); nullopt for the CPU. Throws std::invalid_argument for a listed device
// that the process does not see.
std::optional<int> device_index_for(const Devices& devices, int local_rank, const std::vector<std::string>& visible);

}  // namespace hpopt::workload
