#pragma once
// main() of a doctest suite of training tests run by mpirun: one torch thread per rank, one
// report (from rank 0), and a failure on any rank fails the run. Include it last in the test
// file, after doctest_with_torch.hpp: doctest's implementation part comes in here.
#include <mpi.h>

#include <torch/torch.h>

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    torch::set_num_threads(1);
    doctest::Context context(argc, argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) context.setOption("out", "/dev/null");
    int failed = context.run();
    MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return failed;
}
