#pragma once
// Where the coordinator's trials run: `groups()` groups, each evaluating one trial at a time.
// The coordinator starts a trial on an idle group and waits for whichever finishes first.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "hpopt/cluster/model_worker.hpp"
#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/journal/trial.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::cluster {

struct Finished {
    int group;
    journal::TrialResult result;  // its duration as measured by the group
};

class Executor {
public:
    using Clock = std::chrono::steady_clock;

    virtual ~Executor() = default;
    virtual int groups() const = 0;
    virtual void start(int group, const journal::Trial& trial) = 0;
    // The next trial to finish, waiting at most `timeout_s` without burning a core; nullopt if
    // none finished by then.
    virtual std::optional<Finished> wait(double timeout_s) = 0;
    // No more trials: the groups may leave.
    virtual void shutdown() = 0;
    // Asks the running trials to stop at their next step (keeping their last checkpoint); each
    // then reports back as interrupted.
    virtual void interrupt() = 0;
    // Asks `group` to stop `trial` early at its next step; it then reports back as stopped (or
    // with its result, if it finished first). For a trial that finished, nothing happens.
    virtual void stop_early(int group, std::int64_t trial) = 0;
    // How long `group`, running a trial, has sent nothing (no result, no epoch, no heartbeat);
    // nullopt where that cannot be known (a trial run in this process).
    virtual std::optional<double> silent_s(int group) const {
        (void)group;
        return std::nullopt;
    }
    // `group` is hung: it gets nothing more, and what it may still send is ignored.
    virtual void abandon(int group) { (void)group; }
    // The time the search goes by: the steady clock, or a simulation's virtual time.
    virtual Clock::time_point now() const { return Clock::now(); }
    // Where the optimizer answers batches of suggestions: with several groups a thread of its own,
    // beside the coordinator's loop; with one, at once.
    virtual std::unique_ptr<ModelWorker> model_worker();
    // Where the running trials' epoch reports go, as they arrive during wait().
    void report_epochs_to(EpochCallback callback) { on_epoch_ = std::move(callback); }

protected:
    EpochCallback on_epoch_;
};

// One group: this process. A trial's folds are evaluated in turn on a thread of their own
// (the watchdog's way: the coordinator keeps waiting with a timeout, so that it holds the
// trial's deadline and an interruption's grace even for a workload that ignores both). A
// trial abandoned as hung keeps its thread: the process must then end by std::_Exit, not by
// returning from main (static destructors under a running workload).
class InProcessExecutor : public Executor {
public:
    // `checkpoint_root`: where trials keep checkpoints, one folder each ("" for none).
    InProcessExecutor(workload::Workload& workload, int folds, std::optional<double> trial_timeout_s,
                      std::string checkpoint_root = "");
    ~InProcessExecutor() override;

    int groups() const override { return 1; }
    void start(int group, const journal::Trial& trial) override;
    std::optional<Finished> wait(double timeout_s) override;
    void shutdown() override {}
    void interrupt() override;
    void stop_early(int group, std::int64_t trial) override;
    void abandon(int group) override;

private:
    struct Mailbox;  // what the trial's thread hands to the coordinator's

    workload::Workload& workload_;
    int folds_;
    std::optional<double> trial_timeout_s_;
    std::string checkpoint_root_;
    // The running trial's; shared with its thread, which outlives the executor once abandoned.
    std::shared_ptr<Mailbox> mailbox_;
    std::thread thread_;
};

}  // namespace hpopt::cluster
