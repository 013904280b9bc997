#include "hpopt/cluster/suggestion_queue.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace hpopt::cluster {

SuggestionQueue::SuggestionQueue(optim::Optimizer& optimizer, std::unique_ptr<ModelWorker> worker,
                                 std::function<Clock::time_point()> now)
    : optimizer_(optimizer), worker_(std::move(worker)), now_(std::move(now)) {}

// A batch still being asked writes into this queue: its worker goes first.
SuggestionQueue::~SuggestionQueue() { worker_.reset(); }

void SuggestionQueue::tell(optim::Evaluation evaluation) {
    apply([evaluation = std::move(evaluation)](optim::Optimizer& optimizer) { optimizer.tell(evaluation); });
}

void SuggestionQueue::tell_rung(optim::Point point, std::int64_t epoch, double loss) {
    apply([point = std::move(point), epoch, loss](optim::Optimizer& optimizer) { optimizer.tell_rung(point, epoch, loss); });
}

void SuggestionQueue::apply(std::function<void(optim::Optimizer&)> tell) {
    if (asking_) {
        waiting_.push_back(std::move(tell));
        return;
    }
    tell(optimizer_);
    ++told_;
}

void SuggestionQueue::ask(std::size_t count, const Pending& running, std::int64_t next_trial) {
    if (asking_) throw std::logic_error("a batch of suggestions is already being asked");
    asked_ = journal::Asked{told_, running.trials, std::nullopt};
    std::vector<optim::Point> pending = running.points;
    for (const Suggestion& suggestion : ready_) {
        asked_.pending->push_back(next_trial++);
        pending.push_back(suggestion.point);
    }
    asking_ = true;
    asked_count_ = count;
    asked_at_ = now_();
    worker_->start([this, pending = std::move(pending), count] {
        batch_ = Batch{};
        const auto start = Clock::now();
        try {
            batch_.points = optimizer_.ask_batch(pending, count);
        } catch (...) {
            batch_.failure = std::current_exception();
        }
        batch_.model_s = std::chrono::duration<double>(Clock::now() - start).count();
    });
}

void SuggestionQueue::collect() {
    if (!asking_ || !worker_->done()) return;
    asking_ = false;
    batch_latency_s_ = std::chrono::duration<double>(now_() - asked_at_).count();
    model_s_ += batch_.model_s;
    if (batch_.failure) std::rethrow_exception(batch_.failure);
    dry_ = batch_.points.size() < asked_count_;
    if (!batch_.points.empty()) journal_pending_compactly();
    for (optim::Point& point : batch_.points) {
        ready_.push_back({std::move(point), asked_});
        asked_.pending.reset();  // the batch's first tells them
        asked_.pending_change.reset();
    }
    suggested_ += static_cast<std::int64_t>(batch_.points.size());
    for (auto& tell : std::exchange(waiting_, {})) apply(std::move(tell));
}

// The batch's pending trials as a change from the last batch's, once there is one. (Both lists
// are in id order: trials handed out, then those ready, numbered after them.)
void SuggestionQueue::journal_pending_compactly() {
    const std::vector<std::int64_t> pending = *asked_.pending;
    if (last_pending_) {
        journal::PendingChange change;
        std::set_difference(pending.begin(), pending.end(), last_pending_->begin(), last_pending_->end(), std::back_inserter(change.added));
        std::set_difference(last_pending_->begin(), last_pending_->end(), pending.begin(), pending.end(), std::back_inserter(change.removed));
        asked_.pending.reset();
        asked_.pending_change = std::move(change);
    }
    last_pending_ = pending;
}

std::optional<Suggestion> SuggestionQueue::pop() {
    std::optional<Suggestion> suggestion;
    if (ready_.empty()) return suggestion;
    suggestion.emplace(std::move(ready_.front()));
    ready_.pop_front();
    return suggestion;
}

}  // namespace hpopt::cluster
