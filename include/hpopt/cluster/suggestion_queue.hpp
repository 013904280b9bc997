#pragma once
// Suggestions asked ahead of the groups that take them, so that a group that reports gets its
// next trial at once. The optimizer answers batches (Optimizer::ask_batch) on a model worker while
// the coordinator goes on; results that come in the meantime are told once the batch is done,
// so the coordinator's loop never waits for the model unless a group has nothing else to take.
//
// Each suggestion keeps what the optimizer knew when its batch was asked: the results told and
// the trials pending (those running, and the suggestions ready before it, numbered as the trials
// they become). The journal keeps both, and a resume asks each batch again in the same
// circumstances (see JournalReplay).
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "hpopt/cluster/model_worker.hpp"
#include "hpopt/journal/journal.hpp"
#include "hpopt/optim/optimizer.hpp"

namespace hpopt::cluster {

struct Suggestion {
    optim::Point point;
    journal::Asked asked;
};

// The trials running (or handed out and not told yet) when a batch is asked, in the order of
// their ids.
struct Pending {
    std::vector<std::int64_t> trials;
    std::vector<optim::Point> points;
};

class SuggestionQueue {
public:
    using Clock = std::chrono::steady_clock;

    // `now`: the search's clock, by which batch latencies are measured.
    SuggestionQueue(optim::Optimizer& optimizer, std::unique_ptr<ModelWorker> worker, std::function<Clock::time_point()> now);
    SuggestionQueue(const SuggestionQueue&) = delete;
    SuggestionQueue& operator=(const SuggestionQueue&) = delete;
    ~SuggestionQueue();

    // At once while no batch is being asked, else as soon as it is done: in the order given.
    void tell(optim::Evaluation evaluation);
    void tell_rung(optim::Point point, std::int64_t epoch, double loss);

    // Asks for `count` more suggestions while `running` are pending, besides those ready; the
    // next trial to be handed out is numbered `next_trial`.
    void ask(std::size_t count, const Pending& running, std::int64_t next_trial);
    // Takes in a batch the worker has finished (and tells what waited for it); rethrows what the
    // optimizer threw.
    void collect();

    bool asking() const { return asking_; }
    std::size_t ready() const { return ready_.size(); }
    std::optional<Suggestion> pop();
    // The optimizer gave fewer suggestions than asked for and has been told nothing since: asking
    // again now would give nothing.
    bool dry() const { return dry_ && !asking_ && told_ == asked_.told; }
    // How long to wait before a batch being asked may be there.
    double until_done_s() const { return asking_ ? worker_->until_done_s() : 0; }
    // From ask() to collect() of the last batch, on the search's clock (0 before the first).
    double batch_latency_s() const { return batch_latency_s_; }
    // The model worker's time, summed, and the suggestions it made.
    double model_s() const { return model_s_; }
    std::int64_t suggested() const { return suggested_; }

private:
    struct Batch {
        std::vector<optim::Point> points;
        double model_s = 0;
        std::exception_ptr failure;
    };

    void apply(std::function<void(optim::Optimizer&)> tell);
    void journal_pending_compactly();

    optim::Optimizer& optimizer_;
    std::unique_ptr<ModelWorker> worker_;
    std::function<Clock::time_point()> now_;
    std::deque<Suggestion> ready_;
    std::vector<std::function<void(optim::Optimizer&)>> waiting_;  // told while a batch is asked
    std::int64_t told_ = 0;
    bool asking_ = false;
    std::size_t asked_count_ = 0;
    journal::Asked asked_;  // what the batch being asked knew
    std::optional<std::vector<std::int64_t>> last_pending_;  // the last batch's that made suggestions
    Clock::time_point asked_at_;
    Batch batch_;  // written by the worker's job
    bool dry_ = false;
    double batch_latency_s_ = 0;
    double model_s_ = 0;
    std::int64_t suggested_ = 0;
};

}  // namespace hpopt::cluster
