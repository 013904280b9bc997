#include "hpopt/cluster/communicators.hpp"

namespace hpopt::cluster {
namespace {

MPI_Comm split(MPI_Comm world, int color, int rank) {
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Comm_split(world, color, rank, &comm);
    return comm;
}

}  // namespace

Communicators::Communicators(const Layout& layout, int rank, MPI_Comm world) {
    const Role role = layout.role(rank);
    const spec::Layout& shape = layout.shape();
    const bool in_team = role.kind != Role::Kind::coordinator;
    const int team = role.group * shape.folds + role.fold;
    const bool worker = role.kind == Role::Kind::worker;
    const bool master = role.kind == Role::Kind::master;

    group = split(world, in_team ? role.group : MPI_UNDEFINED, rank);
    fold_team = split(world, in_team ? team : MPI_UNDEFINED, rank);

    // The master a rank shares master_workers with: itself for a master, its serving master for
    // a worker; none for the top master when there are sub-masters.
    int served_by = MPI_UNDEFINED;
    if (worker && role.serving_master >= 0) served_by = role.serving_master;
    if (master && (shape.masters == 1 || role.master > 0)) served_by = role.master;
    master_workers = split(world, served_by == MPI_UNDEFINED ? MPI_UNDEFINED : team * shape.masters + served_by, rank);
    masters = split(world, master && shape.masters > 1 ? team : MPI_UNDEFINED, rank);
    this->worker = split(world, worker ? team * shape.workers + role.worker : MPI_UNDEFINED, rank);
}

Communicators::~Communicators() {
    for (MPI_Comm* comm : {&group, &fold_team, &master_workers, &masters, &worker}) {
        if (*comm != MPI_COMM_NULL) MPI_Comm_free(comm);
    }
}

}  // namespace hpopt::cluster
