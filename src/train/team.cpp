#include "team.hpp"

#include <algorithm>
#include <limits>

namespace hpopt::train {
namespace {

// MPI counts are int: large buffers go in pieces.
template <class Operation>
void in_pieces(float* values, std::int64_t count, Operation operation) {
    constexpr std::int64_t piece = std::numeric_limits<int>::max() / 2;
    for (std::int64_t done = 0; done < count; done += piece) {
        operation(values + done, static_cast<int>(std::min(piece, count - done)));
    }
}

}  // namespace

Team::Team(MPI_Comm comm) : comm_(comm) {
    if (comm_ == MPI_COMM_NULL) return;
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
}

void Team::sum(float* values, std::int64_t count) const {
    if (alone()) return;
    in_pieces(values, count, [&](float* piece, int n) { MPI_Allreduce(MPI_IN_PLACE, piece, n, MPI_FLOAT, MPI_SUM, comm_); });
}

void Team::broadcast(float* values, std::int64_t count) const {
    if (alone()) return;
    in_pieces(values, count, [&](float* piece, int n) { MPI_Bcast(piece, n, MPI_FLOAT, 0, comm_); });
}

std::int64_t Team::min(std::int64_t value) const {
    if (!alone()) MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MIN, comm_);
    return value;
}

void Team::barrier() const {
    if (!alone()) MPI_Barrier(comm_);
}

std::int64_t Team::max(std::int64_t value) const {
    if (!alone()) MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MAX, comm_);
    return value;
}

}  // namespace hpopt::train
