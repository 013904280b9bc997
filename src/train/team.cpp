#include "train/team.hpp"

#include "hpopt/workload/team.hpp"

#include <algorithm>
#include <chrono>
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

Team::Team(Team&& other) noexcept : comm_(other.comm_), owned_(other.owned_), rank_(other.rank_), size_(other.size_) {
    other.owned_ = false;
}

Team::~Team() {
    if (owned_ && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

Team Team::split(int color) const {
    MPI_Comm part = MPI_COMM_NULL;
    if (comm_ != MPI_COMM_NULL) MPI_Comm_split(comm_, color, rank_, &part);
    Team team(part);
    team.owned_ = true;
    return team;
}

void Team::sum(float* values, std::int64_t count) const {
    if (alone()) return;
    in_pieces(values, count, [&](float* piece, int n) { MPI_Allreduce(MPI_IN_PLACE, piece, n, MPI_FLOAT, MPI_SUM, comm_); });
}

void Team::sum(std::vector<double>& values) const {
    if (!alone()) MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM, comm_);
}

void Team::broadcast(float* values, std::int64_t count) const {
    if (alone()) return;
    in_pieces(values, count, [&](float* piece, int n) { MPI_Bcast(piece, n, MPI_FLOAT, 0, comm_); });
}

void Team::broadcast(std::int64_t* values, int count) const {
    if (!alone()) MPI_Bcast(values, count, MPI_INT64_T, 0, comm_);
}

std::int64_t Team::min(std::int64_t value) const {
    if (!alone()) MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MIN, comm_);
    return value;
}

void Team::barrier() const {
    if (alone()) return;
    MPI_Request request;
    MPI_Ibarrier(comm_, &request);
    workload::wait_without_spinning(request);
}

std::pair<int, int> Team::wait_for_message(int source, std::chrono::microseconds longest_pause) const {
    workload::Backoff backoff(longest_pause);
    while (true) {
        int arrived = 0;
        MPI_Status status;
        MPI_Iprobe(source, MPI_ANY_TAG, comm_, &arrived, &status);
        if (arrived) return {status.MPI_SOURCE, status.MPI_TAG};
        backoff.pause();
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

MPI_Request Team::start_send(const float* values, std::int64_t count, int destination, int tag) const {
    MPI_Request request;
    MPI_Isend(values, static_cast<int>(count), MPI_FLOAT, destination, tag, comm_, &request);
    return request;
}

MPI_Request Team::start_receive(float* values, std::int64_t count, int source, int tag) const {
    MPI_Request request;
    MPI_Irecv(values, static_cast<int>(count), MPI_FLOAT, source, tag, comm_, &request);
    return request;
}

void Team::wait(MPI_Request& request, std::chrono::microseconds longest_pause) {
    workload::wait_without_spinning(request, longest_pause);
}

std::int64_t Team::max(std::int64_t value) const {
    if (!alone()) MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MAX, comm_);
    return value;
}

}  // namespace hpopt::train
