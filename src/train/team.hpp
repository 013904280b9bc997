#pragma once
// The ranks that train one fold together, over raw MPI on tensor memory (Debian's libtorch has
// no MPI process group). A null communicator is a team of one, and then nothing calls MPI.
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

namespace hpopt::train {

class Team {
public:
    explicit Team(MPI_Comm comm);

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool alone() const { return size_ == 1; }
    MPI_Comm comm() const { return comm_; }

    void sum(float* values, std::int64_t count) const;      // in place, on every rank
    void sum(std::vector<double>& values) const;            // a few values, in place
    void broadcast(float* values, std::int64_t count) const;  // from the team's first rank
    void broadcast(std::int64_t* values, int count) const;
    std::int64_t min(std::int64_t value) const;
    std::int64_t max(std::int64_t value) const;
    void barrier() const;  // without spinning

    // Point to point, for a parameter server: waits (without spinning: probes with sleeps of up
    // to `longest_pause`) for a message from `source` (MPI_ANY_SOURCE for any) with any tag, and
    // says where it is from and its tag. Sends and receives block: a large message moves through
    // shared memory in fragments that both sides push, so a large one is sent only to a rank that
    // is receiving it (or about to), and the other side waits with wait_for_message first.
    std::pair<int, int> wait_for_message(int source,
                                         std::chrono::microseconds longest_pause = std::chrono::microseconds(1000)) const;
    void send(const float* values, std::int64_t count, int destination, int tag) const;
    void receive(float* values, std::int64_t count, int source, int tag) const;
    void send(const std::int64_t* values, int count, int destination, int tag) const;
    void receive(std::int64_t* values, int count, int source, int tag) const;

    // Nonblocking point to point, for a pipeline: each to complete with wait(), which sleeps
    // between tests of up to `longest_pause`; the values stay untouched (a send's) or undefined
    // (a receive's) until then.
    MPI_Request start_send(const float* values, std::int64_t count, int destination, int tag) const;
    MPI_Request start_receive(float* values, std::int64_t count, int source, int tag) const;
    static void wait(MPI_Request& request, std::chrono::microseconds longest_pause);

    // The ranks of this team with the same `color` (MPI_UNDEFINED: none, a null team), as a
    // team of their own that this one owns; collective over the team.
    Team split(int color) const;

    Team(Team&& other) noexcept;
    Team& operator=(Team&&) = delete;
    Team(const Team&) = delete;
    ~Team();

private:
    MPI_Comm comm_;
    bool owned_ = false;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace hpopt::train
