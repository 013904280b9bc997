#include "team.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
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

std::pair<int, int> Team::wait_for_message(int source) const {
    // Sleeping between probes keeps a waiting rank off the cores (Open MPI's receive spins).
    auto pause = std::chrono::microseconds(20);
    while (true) {
        int arrived = 0;
        MPI_Status status;
        MPI_Iprobe(source, MPI_ANY_TAG, comm_, &arrived, &status);
        if (arrived) return {status.MPI_SOURCE, status.MPI_TAG};
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(1000));
    }
}

void Team::send(const float* values, std::int64_t count, int destination, int tag) const {
    MPI_Send(values, static_cast<int>(count), MPI_FLOAT, destination, tag, comm_);
}

void Team::receive(float* values, std::int64_t count, int source, int tag) const {
    MPI_Recv(values, static_cast<int>(count), MPI_FLOAT, source, tag, comm_, MPI_STATUS_IGNORE);
}

void Team::send(const std::int64_t* values, int count, int destination, int tag) const {
    MPI_Send(values, count, MPI_INT64_T, destination, tag, comm_);
}

void Team::receive(std::int64_t* values, int count, int source, int tag) const {
    MPI_Recv(values, count, MPI_INT64_T, source, tag, comm_, MPI_STATUS_IGNORE);
}

std::int64_t Team::max(std::int64_t value) const {
    if (!alone()) MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MAX, comm_);
    return value;
}

}  // namespace hpopt::train
