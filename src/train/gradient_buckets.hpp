#pragma once
// All-reduce training's gradient exchange started during the backward pass (seed 002: "keep
// computing updates while aggregating the gradient"; the buckets of PyTorch's DDP, Li et al.,
// VLDB 2020). The flat gradient buffer's block of a phase is cut into buckets of consecutive
// parameters from its end (the last layers, whose gradients the backward pass computes first).
// Each parameter's gradient hook copies its gradient into the buffer, and once a bucket is full
// its nonblocking all-reduce starts; the step waits for them all before the optimizer's.
//
// Every rank starts the buckets in the same order (a full bucket waits for the ones before it),
// and after the backward pass a rank starts those its pass did not fill (an empty share, a
// parameter without a gradient, a failure: zeros there), so that no rank is left waiting. MPI
// moves a nonblocking collective forward only inside MPI calls: each hook tests the ones started,
// and finish() waits in MPI.
#include <mpi.h>

#include <vector>

#include <torch/torch.h>

#include "train/flat_model.hpp"
#include "train/learner.hpp"
#include "train/team.hpp"

namespace hpopt::train {

class GradientBuckets {
public:
    // Over `phase`'s parameters, buckets of about `bucket_floats` values (a parameter is never
    // split); registers the hooks, which act between start_step() and finish().
    GradientBuckets(const Phase& phase, FlatModel& flat, const Team& team, std::int64_t bucket_floats);
    ~GradientBuckets();
    GradientBuckets(const GradientBuckets&) = delete;
    GradientBuckets& operator=(const GradientBuckets&) = delete;

    // Before a step's backward pass.
    void start_step();
    // After it, whether it finished or threw: every bucket started and completed, the team's sum
    // in the exchange buffer, which the parameters then take as their gradients.
    void finish();

private:
    struct Bucket {
        std::int64_t begin = 0, end = 0;  // in the flat buffer
        std::size_t waiting = 0;          // parameters whose gradient has not come this step
        MPI_Request request = MPI_REQUEST_NULL;
        bool started = false;
    };
    struct Slot {
        std::int64_t begin = 0, end = 0;
        std::size_t bucket = 0;
        bool filled = false;
    };

    void arrive(std::size_t parameter, const torch::Tensor& gradient);
    void start_ready_buckets();
    void start(Bucket& bucket);
    void progress();

    FlatModel& flat_;
    const Team& team_;
    std::vector<torch::Tensor> parameters_;
    std::vector<unsigned> hooks_;    // per parameter
    std::vector<Slot> slots_;        // per parameter
    std::vector<Bucket> buckets_;    // in the order they start: from the block's end
    std::size_t next_to_start_ = 0;
    bool in_step_ = false;
};

}  // namespace hpopt::train
