#include "train/gradient_buckets.hpp"

#include <stdexcept>

namespace hpopt::train {

GradientBuckets::GradientBuckets(const Phase& phase, FlatModel& flat, const Team& team, std::int64_t bucket_floats)
    : flat_(flat), team_(team), parameters_(phase.parameters) {
    std::int64_t end = phase.end;
    for (std::size_t i = parameters_.size(); i-- > 0;) {
        const std::int64_t begin = end - parameters_[i].numel();
        if (buckets_.empty() || buckets_.back().end - begin > bucket_floats) buckets_.push_back({begin, end});
        buckets_.back().begin = begin;
        slots_.insert(slots_.begin(), {begin, end, buckets_.size() - 1});
        end = begin;
    }
    if (end != phase.begin) throw std::logic_error("a phase's parameters must fill its block of the flat buffer");
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        hooks_.push_back(parameters_[i].register_hook([this, i](const torch::Tensor& gradient) { arrive(i, gradient); }));
    }
}

GradientBuckets::~GradientBuckets() {
    for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i].remove_hook(hooks_[i]);
}

void GradientBuckets::start_step() {
    for (Bucket& bucket : buckets_) bucket.waiting = 0;
    for (Slot& slot : slots_) {
        slot.filled = false;
        ++buckets_[slot.bucket].waiting;
    }
    next_to_start_ = 0;
    in_step_ = true;
}

void GradientBuckets::arrive(std::size_t parameter, const torch::Tensor& gradient) {
    if (!in_step_) return;
    Slot& slot = slots_[parameter];
    Bucket& bucket = buckets_[slot.bucket];
    torch::NoGradGuard no_grad;
    torch::Tensor values = flat_.exchange().slice(0, slot.begin, slot.end);
    if (slot.filled) {
        // A second gradient of the same parameter in one pass (autograd gives one per leaf): add it
        // while its bucket waits.
        if (bucket.started) throw std::logic_error("a gradient came after its bucket's exchange started");
        values.add_(gradient.reshape({-1}).cpu());
        return;
    }
    values.copy_(gradient.reshape({-1}));
    slot.filled = true;
    --bucket.waiting;
    start_ready_buckets();
    progress();
}

void GradientBuckets::start_ready_buckets() {
    while (next_to_start_ < buckets_.size() && buckets_[next_to_start_].waiting == 0) start(buckets_[next_to_start_++]);
}

void GradientBuckets::start(Bucket& bucket) {
    float* values = flat_.exchange().data_ptr<float>() + bucket.begin;
    MPI_Iallreduce(MPI_IN_PLACE, values, static_cast<int>(bucket.end - bucket.begin), MPI_FLOAT, MPI_SUM, team_.comm(), &bucket.request);
    bucket.started = true;
}

void GradientBuckets::progress() {
    for (std::size_t b = 0; b < next_to_start_; ++b) {
        int done = 0;
        MPI_Test(&buckets_[b].request, &done, MPI_STATUS_IGNORE);
    }
}

void GradientBuckets::finish() {
    in_step_ = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        Slot& slot = slots_[i];
        if (slot.filled) continue;
        flat_.exchange().slice(0, slot.begin, slot.end).zero_();
        slot.filled = true;
        --buckets_[slot.bucket].waiting;
    }
    start_ready_buckets();
    // In MPI, as the blocking all-reduce waits: a nonblocking collective moves one round per test,
    // and waiting with sleeps between tests made a step of the MLP four times slower.
    for (Bucket& bucket : buckets_) {
        MPI_Wait(&bucket.request, MPI_STATUS_IGNORE);
        bucket.started = false;
    }
    flat_.use_exchange_as_gradients();
}

}  // namespace hpopt::train
