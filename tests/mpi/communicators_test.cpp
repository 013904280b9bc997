// Run under mpirun with the layout's world size: every rank checks that its group and fold-team
// communicators hold exactly the ranks its role says, and rank 0 reports.
//   mpirun -np 15 communicators_test    (1 group, 2 folds, 3 masters, 2 workers of 2 ranks)
#include <mpi.h>

#include <cstdio>
#include <functional>
#include <vector>

#include "hpopt/cluster/communicators.hpp"

using namespace hpopt;
using cluster::Role;

namespace {

// The world ranks of `comm`'s members, in comm order; empty for MPI_COMM_NULL.
std::vector<int> members(MPI_Comm comm, int rank) {
    if (comm == MPI_COMM_NULL) return {};
    int size = 0;
    MPI_Comm_size(comm, &size);
    std::vector<int> ranks(static_cast<std::size_t>(size));
    MPI_Allgather(&rank, 1, MPI_INT, ranks.data(), 1, MPI_INT, comm);
    return ranks;
}

// The world ranks whose roles satisfy `together(mine, theirs)`, or none if `mine` takes no part.
std::vector<int> expected(const cluster::Layout& layout, const Role& mine, const std::function<bool(const Role&)>& takes_part,
                          const std::function<bool(const Role&, const Role&)>& together) {
    std::vector<int> ranks;
    if (!takes_part(mine)) return ranks;
    for (const Role& other : layout.roles()) {
        if (takes_part(other) && together(mine, other)) ranks.push_back(other.rank);
    }
    return ranks;
}

}  // namespace

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const cluster::Layout layout(spec::Layout{1, 2, 3, 2, 2});
    int failures = 0;
    if (size != layout.ranks()) {
        if (rank == 0) std::fprintf(stderr, "%s\n", layout.mismatch(size).c_str());
        failures = 1;
    } else {
        const Role me = layout.role(rank);
        const auto in_team = [](const Role& r) { return r.kind != Role::Kind::coordinator; };
        const auto same_team = [](const Role& a, const Role& b) { return a.group == b.group && a.fold == b.fold; };
        const cluster::Communicators comms(layout, rank, MPI_COMM_WORLD);
        const std::vector<std::pair<MPI_Comm, std::vector<int>>> checks = {
            {comms.group, expected(layout, me, in_team, [](const Role& a, const Role& b) { return a.group == b.group; })},
            {comms.fold_team, expected(layout, me, in_team, same_team)},
        };
        for (std::size_t i = 0; i < checks.size(); ++i) {
            if (members(checks[i].first, rank) != checks[i].second) {
                std::fprintf(stderr, "rank %d: communicator %zu holds the wrong ranks\n", rank, i);
                ++failures;
            }
        }
    }
    int total = 0;
    MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) std::printf(total == 0 ? "communicators: ok\n" : "communicators: %d wrong\n", total);
    MPI_Finalize();
    return total == 0 ? 0 : 1;
}
