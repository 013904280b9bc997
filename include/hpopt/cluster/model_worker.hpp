#pragma once
// Where the optimizer's work runs while the coordinator goes on handing out trials: one job at a
// time, on a thread of its own, or at once on the caller's (one group, which waits for each
// suggestion anyway, and tests), or in a simulation at once but done only when virtual time has
// run for as long as the job took (see SimulatedExecutor).
#include <atomic>
#include <functional>
#include <thread>

namespace hpopt::cluster {

class ModelWorker {
public:
    using Job = std::function<void()>;

    virtual ~ModelWorker() = default;
    // Runs `job`, which must not throw; called only once the previous job is done.
    virtual void start(Job job) = 0;
    // The last job has finished: what it wrote may be read.
    virtual bool done() const = 0;
    // How long to wait before looking at done() again while something waits for the job.
    virtual double until_done_s() const = 0;
};

class InlineWorker : public ModelWorker {
public:
    void start(Job job) override { job(); }
    bool done() const override { return true; }
    double until_done_s() const override { return 0; }
};

// The optimizer then runs beside the coordinator's loop, which never touches it while a job runs.
class ThreadWorker : public ModelWorker {
public:
    ThreadWorker() = default;
    ThreadWorker(const ThreadWorker&) = delete;
    ThreadWorker& operator=(const ThreadWorker&) = delete;
    ~ThreadWorker() override;

    void start(Job job) override;
    bool done() const override { return done_.load(std::memory_order_acquire); }
    double until_done_s() const override;

private:
    std::thread thread_;
    std::atomic<bool> done_{true};
};

}  // namespace hpopt::cluster
