#pragma once
// MPI for the lifetime of the object, when the process was started by mpirun (or another MPI
// launcher): a plain `hpopt run` stays a single process and never initializes MPI.
namespace hpopt::cluster {

class MpiSession {
public:
    static bool launched_by_mpi();

    MpiSession(int& argc, char**& argv);
    MpiSession(const MpiSession&) = delete;
    MpiSession& operator=(const MpiSession&) = delete;
    ~MpiSession();

    int rank() const { return rank_; }
    int size() const { return size_; }

private:
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace hpopt::cluster
