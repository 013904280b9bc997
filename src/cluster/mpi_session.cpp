#include "hpopt/cluster/mpi_session.hpp"

#include <mpi.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "hpopt/workload/devices.hpp"

namespace hpopt::cluster {

bool MpiSession::launched_by_mpi() {
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
        if (std::getenv(variable)) return true;
    }
    return false;
}

namespace {

// Open MPI settings measured on the machines hpopt is developed on (BENCHMARKS.md, "Training
// throughput"): the ring all-reduce moved 40 MB of gradients 10x faster than the default choice,
// and copying through shared memory beat the single-copy mechanism. Set only where the user
// has not set them; every rank sets the same before MPI_Init reads them.
void default_open_mpi_settings() {
    const std::pair<const char*, const char*> settings[] = {
        {"OMPI_MCA_coll_tuned_use_dynamic_rules", "1"},
        {"OMPI_MCA_coll_tuned_allreduce_algorithm", "4"},  // ring
        {"OMPI_MCA_btl_vader_single_copy_mechanism", "none"},
    };
    for (const auto& [name, value] : settings) setenv(name, value, /*overwrite=*/0);
}

// The rank's place among the ranks of its node, where workload::node_local_rank looks first:
// whatever launched the job, MPI knows which ranks share a node. Collective over the world.
void publish_node_local_rank() {
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int local = 0;
    MPI_Comm_rank(node, &local);
    MPI_Comm_free(&node);
    setenv(workload::node_local_rank_variable, std::to_string(local).c_str(), 1);  // before any thread starts
}

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv) {
    default_open_mpi_settings();
    int provided = 0;
    // Only the main thread of each rank calls MPI.
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        throw std::runtime_error("MPI_Init_thread failed");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    publish_node_local_rank();
}

MpiSession::~MpiSession() { MPI_Finalize(); }

}  // namespace hpopt::cluster
