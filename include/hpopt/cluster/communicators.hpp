#pragma once
// The communicators of a rank, split from the world by its role (see Layout), so that each
// group and fold team talks among its own ranks: MPI_COMM_NULL where the rank has no part.
// (A parameter-server team splits its workers' communicators from its fold team itself.)
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
};

}  // namespace hpopt::cluster
