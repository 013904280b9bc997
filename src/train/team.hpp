#pragma once
// The ranks that train one fold together, over raw MPI on tensor memory (Debian's libtorch has
// no MPI process group). A null communicator is a team of one, and then nothing calls MPI.
#include <mpi.h>

#include <cstdint>

namespace hpopt::train {

class Team {
public:
    explicit Team(MPI_Comm comm);

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool alone() const { return size_ == 1; }

    void sum(float* values, std::int64_t count) const;      // in place, on every rank
    void broadcast(float* values, std::int64_t count) const;  // from the team's first rank
    std::int64_t min(std::int64_t value) const;
    std::int64_t max(std::int64_t value) const;
    void barrier() const;

private:
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace hpopt::train
