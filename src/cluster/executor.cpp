#include "hpopt/cluster/executor.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "hpopt/cluster/trial_evaluation.hpp"

namespace hpopt::cluster {

struct InProcessExecutor::Mailbox {
    std::mutex mutex;
    std::condition_variable posted;
    std::deque<journal::EpochReport> epochs;  // reported, not yet handed on
    std::optional<journal::TrialResult> result;
    std::int64_t trial = 0;
    std::atomic<bool> interrupted{false};
    std::atomic<bool> stopped_early{false};
};

std::unique_ptr<ModelWorker> Executor::model_worker() {
    if (groups() > 1) return std::make_unique<ThreadWorker>();
    return std::make_unique<InlineWorker>();
}

InProcessExecutor::InProcessExecutor(workload::Workload& workload, int folds, std::optional<double> trial_timeout_s,
                                     std::string checkpoint_root)
    : workload_(workload), folds_(folds), trial_timeout_s_(trial_timeout_s), checkpoint_root_(std::move(checkpoint_root)) {}

InProcessExecutor::~InProcessExecutor() {
    // A trial still running here is one the coordinator gave up on (it did not stop within the
    // grace): joining would wait for it.
    if (thread_.joinable()) thread_.detach();
}

void InProcessExecutor::start(int, const journal::Trial& trial) {
    mailbox_ = std::make_shared<Mailbox>();
    mailbox_->trial = trial.id;
    thread_ = std::thread([mailbox = mailbox_, trial, workload = &workload_, folds = folds_, timeout_s = trial_timeout_s_,
                           checkpoint_root = checkpoint_root_] {
        const auto post_epoch = [&](const journal::EpochReport& report) {
            const std::lock_guard lock(mailbox->mutex);
            mailbox->epochs.push_back(report);
            mailbox->posted.notify_one();
        };
        const auto interrupted = [&] { return mailbox->interrupted.load(); };
        const auto stopped_early = [&] { return mailbox->stopped_early.load(); };
        journal::TrialResult result =
            evaluate_trial(*workload, trial, folds, timeout_s, checkpoint_root, post_epoch, interrupted, stopped_early);
        const std::lock_guard lock(mailbox->mutex);
        mailbox->result = std::move(result);
        mailbox->posted.notify_one();
    });
}

std::optional<Finished> InProcessExecutor::wait(double timeout_s) {
    if (!mailbox_) return std::nullopt;
    std::unique_lock lock(mailbox_->mutex);
    mailbox_->posted.wait_for(lock, std::chrono::duration<double>(timeout_s),
                              [&] { return mailbox_->result || !mailbox_->epochs.empty(); });
    std::deque<journal::EpochReport> epochs;
    epochs.swap(mailbox_->epochs);
    std::optional<journal::TrialResult> result = mailbox_->result;
    lock.unlock();
    for (const journal::EpochReport& report : epochs) {
        if (on_epoch_) on_epoch_(report);
    }
    if (!result) return std::nullopt;
    thread_.join();
    mailbox_.reset();
    return Finished{0, *result};
}

void InProcessExecutor::interrupt() {
    if (mailbox_) mailbox_->interrupted = true;
}

void InProcessExecutor::stop_early(int, std::int64_t trial) {
    if (mailbox_ && mailbox_->trial == trial) mailbox_->stopped_early = true;
}

void InProcessExecutor::abandon(int) {
    thread_.detach();
    mailbox_.reset();
}

}  // namespace hpopt::cluster
