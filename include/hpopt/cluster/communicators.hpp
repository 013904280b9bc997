#pragma once
// The communicators of a rank, split from the world by its role (see Layout), so that each
// team talks among its own ranks: MPI_COMM_NULL where the rank has no part.
#include <mpi.h>

#include "hpopt/cluster/layout.hpp"

namespace hpopt::cluster {

class Communicators {
public:
    // Collective over `world`: every rank calls it.
    Communicators(const Layout& layout, int rank, MPI_Comm world);
    Communicators(const Communicators&) = delete;
    Communicators& operator=(const Communicators&) = delete;
    ~Communicators();

    MPI_Comm group = MPI_COMM_NULL;      // the ranks of the group; its leader is rank 0
    MPI_Comm fold_team = MPI_COMM_NULL;  // the ranks of the fold team; its leader is rank 0
    // Masters and the workers they serve: with one master, the master and every worker of the
    // team; with sub-masters, each sub-master and its share (the top master is not in one).
    MPI_Comm master_workers = MPI_COMM_NULL;
    MPI_Comm masters = MPI_COMM_NULL;    // with several masters: the top master and the sub-masters
    MPI_Comm worker = MPI_COMM_NULL;     // the ranks_per_worker ranks of one worker
};

}  // namespace hpopt::cluster
