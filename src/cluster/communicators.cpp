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
    const bool in_team = role.kind != Role::Kind::coordinator;
    group = split(world, in_team ? role.group : MPI_UNDEFINED, rank);
    fold_team = split(world, in_team ? role.group * layout.shape().folds + role.fold : MPI_UNDEFINED, rank);
}

Communicators::~Communicators() {
    for (MPI_Comm* comm : {&group, &fold_team}) {
        if (*comm != MPI_COMM_NULL) MPI_Comm_free(comm);
    }
}

}  // namespace hpopt::cluster
