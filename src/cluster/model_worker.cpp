#include "hpopt/cluster/model_worker.hpp"

namespace hpopt::cluster {

ThreadWorker::~ThreadWorker() {
    if (thread_.joinable()) thread_.join();
}

void ThreadWorker::start(Job job) {
    if (thread_.joinable()) thread_.join();
    done_.store(false, std::memory_order_relaxed);
    thread_ = std::thread([this, job = std::move(job)] {
        job();
        done_.store(true, std::memory_order_release);
    });
}

// Short enough that a group waiting for a suggestion hardly notices, long enough that the
// coordinator's loop does not spin.
double ThreadWorker::until_done_s() const { return done() ? 0 : 0.001; }

}  // namespace hpopt::cluster
