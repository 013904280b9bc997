#include "hpopt/cluster/mpi_executor.hpp"

#include "hpopt/cluster/messages.hpp"
#include "hpopt/cluster/stop_signals.hpp"
#include "hpopt/log/log.hpp"

namespace hpopt::cluster {
namespace {

using Clock = std::chrono::steady_clock;

// Sends a message to the rest of this rank's fold team (ranks 1.. of the team's communicator).
void tell_team(const Communicators& comms, Tag tag, const Json& body) {
    int size = 0;
    MPI_Comm_size(comms.fold_team, &size);
    for (int member = 1; member < size; ++member) send(comms.fold_team, member, tag, body);
}

void stop_team(const Communicators& comms) { tell_team(comms, Tag::stop, Json::object()); }

// A group leader's sign of life to the coordinator while it runs a trial: sent when it looks
// (between its fold's steps, while it waits for its other folds), at most every interval.
class Heartbeat {
public:
    Heartbeat(MPI_Comm world, double interval_s)
        : world_(world), interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s))) {}

    void beat() {
        const auto now = Clock::now();
        if (now - last_ < interval_) return;
        send(world_, 0, Tag::heartbeat, Json::object());
        last_ = now;
    }

private:
    MPI_Comm world_;
    Clock::duration interval_;
    Clock::time_point last_ = Clock::now();
};

// A fold leader's answer to "is the search stopping?": a stop signal of its own, or the
// coordinator's interrupt message (taken when it comes; the answer stays yes for the trial).
// The workload asks between its steps: a group leader beats its heart then.
std::function<bool()> interruption_watch(MPI_Comm world, Heartbeat* heartbeat) {
    return [world, heartbeat, interrupted = false]() mutable {
        if (heartbeat) heartbeat->beat();
        interrupted = interrupted || stop_signal_received() || receive(world, 0, Tag::interrupt, 0.0).has_value();
        return interrupted;
    };
}

// A fold leader's answer to "has early stopping stopped this trial?": the coordinator's
// stop_early message for it (one for an earlier trial is dropped).
std::function<bool()> early_stop_watch(MPI_Comm world, std::int64_t trial) {
    return [world, trial, stopped = false]() mutable {
        while (!stopped) {
            const auto message = receive(world, 0, Tag::stop_early, 0.0);
            if (!message) break;
            stopped = message->body.at("trial").get<std::int64_t>() == trial;
        }
        return stopped;
    };
}

FoldTask fold_task(const TrialOrder& order, int fold, Clock::time_point start, MPI_Comm team, EpochCallback on_epoch,
                   std::function<bool()> interruption, std::function<bool()> early_stop) {
    return {order.trial, fold,   order.folds, order.timeout_s, start, team, order.checkpoint_root, std::move(on_epoch),
            std::move(interruption), std::move(early_stop)};
}

// This rank's fold of a trial; the whole fold team evaluates it when the workload trains as a team.
FoldResult evaluate_own_fold(workload::Workload& workload, const Json& order_json, int fold, const Communicators& comms,
                             MPI_Comm world, Clock::time_point start, EpochCallback on_epoch, Heartbeat* heartbeat) {
    const TrialOrder order = trial_order_from_json(order_json);
    MPI_Comm team = MPI_COMM_NULL;
    if (workload.trains_as_team()) {
        tell_team(comms, Tag::trial, order_json);
        team = comms.fold_team;
    }
    return evaluate_fold(workload, fold_task(order, fold, start, team, std::move(on_epoch), interruption_watch(world, heartbeat),
                                             early_stop_watch(world, order.trial.id)));
}

// A group leader: fold 0 here, the other folds on their fold leaders (rank fold * ranks_per_fold
// of the group's communicator), the result to the coordinator.
void lead_group(const Layout& layout, workload::Workload& workload, MPI_Comm world, const Communicators& comms) {
    const int folds = layout.shape().folds;
    const auto fold_leader = [&](int fold) { return fold * layout.ranks_per_fold(); };
    while (true) {
        const Message message = *receive(world, 0, std::nullopt, std::nullopt);
        if (message.tag == Tag::interrupt || message.tag == Tag::stop_early) continue;  // for a trial that had finished already
        if (message.tag == Tag::stop) {
            for (int fold = 1; fold < folds; ++fold) send(comms.group, fold_leader(fold), Tag::stop, Json::object());
            stop_team(comms);
            return;
        }
        const auto start = Clock::now();
        const TrialOrder order = trial_order_from_json(message.body);
        Heartbeat heartbeat(world, order.heartbeat_s);
        for (int fold = 1; fold < folds; ++fold) send(comms.group, fold_leader(fold), Tag::trial, message.body);
        // Epoch reports go on to the coordinator: fold 0's as they happen, the other folds' as
        // they arrive, looked for between fold 0's epochs and while waiting for the folds.
        const auto forward = [&](const journal::EpochReport& report) { send(world, 0, Tag::epoch, to_json(report)); };
        const auto forward_arrived = [&] {
            while (const auto report = receive(comms.group, MPI_ANY_SOURCE, Tag::epoch, 0.0)) {
                forward(epoch_report_from_json(report->body));
            }
        };
        std::vector<FoldResult> results(static_cast<std::size_t>(folds));
        results[0] = evaluate_own_fold(
            workload, message.body, 0, comms, world, start,
            [&](const journal::EpochReport& report) {
                forward(report);
                forward_arrived();
            },
            &heartbeat);
        for (int received = 1; received < folds;) {
            const std::optional<Message> fold_message = receive(comms.group, MPI_ANY_SOURCE, std::nullopt, order.heartbeat_s);
            heartbeat.beat();
            if (!fold_message) continue;
            if (fold_message->tag == Tag::epoch) {
                forward(epoch_report_from_json(fold_message->body));
                continue;
            }
            results[static_cast<std::size_t>(fold_message->source / layout.ranks_per_fold())] =
                fold_result_from_json(fold_message->body);
            ++received;
        }
        journal::TrialResult result = combine_folds(order.trial.id, results);
        result.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
        log::info("trial {}: {} {:.6g} over {} fold(s) in {:.3f} s{}", result.id, journal::to_string(result.status), result.fom,
                  folds, result.duration_s, result.reason.empty() ? "" : ": " + result.reason);
        send(world, 0, Tag::result, result_to_json(result));
    }
}

// A fold leader of fold >= 1: its fold of each trial its group leader shares.
void lead_fold(const Role& role, workload::Workload& workload, MPI_Comm world, const Communicators& comms) {
    while (true) {
        const Message message = *receive(comms.group, 0, std::nullopt, std::nullopt);
        if (message.tag == Tag::stop) {
            stop_team(comms);
            return;
        }
        const auto report = [&](const journal::EpochReport& epoch) { send(comms.group, 0, Tag::epoch, to_json(epoch)); };
        send(comms.group, 0, Tag::fold_result,
             to_json(evaluate_own_fold(workload, message.body, role.fold, comms, world, Clock::now(), report, nullptr)));
    }
}

// A fold team's other ranks: they train with their fold leader, whose result stands for the team.
void join_team(const Role& role, workload::Workload& workload, const Communicators& comms) {
    while (true) {
        const Message message = *receive(comms.fold_team, 0, std::nullopt, std::nullopt);
        if (message.tag == Tag::stop) return;
        const TrialOrder order = trial_order_from_json(message.body);
        evaluate_fold(workload, fold_task(order, role.fold, Clock::now(), comms.fold_team, {}, {}, {}));
    }
}

}  // namespace

MpiExecutor::MpiExecutor(const Layout& layout, MPI_Comm comm, std::optional<double> trial_timeout_s, double silence_limit_s,
                         std::string checkpoint_root)
    : layout_(layout),
      comm_(comm),
      trial_timeout_s_(trial_timeout_s),
      heartbeat_s_(silence_limit_s / 10),
      checkpoint_root_(std::move(checkpoint_root)) {}

void MpiExecutor::start(int group, const journal::Trial& trial) {
    busy_.insert(group);
    last_heard_[group] = Clock::now();
    send(comm_, layout_.group_leader(group), Tag::trial,
         to_json(TrialOrder{trial, layout_.shape().folds, trial_timeout_s_, checkpoint_root_, heartbeat_s_}));
}

std::optional<Finished> MpiExecutor::wait(double timeout_s) {
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
    while (true) {
        const double left = std::max(0.0, std::chrono::duration<double>(deadline - Clock::now()).count());
        const auto message = receive(comm_, MPI_ANY_SOURCE, std::nullopt, left);
        if (!message) return std::nullopt;
        const int group = layout_.role(message->source).group;
        if (abandoned_.count(group)) continue;  // too late: its trial ran elsewhere or failed
        last_heard_[group] = Clock::now();
        if (message->tag == Tag::result) {
            busy_.erase(group);
            return Finished{group, result_from_json(message->body)};
        }
        if (message->tag == Tag::epoch && on_epoch_) on_epoch_(epoch_report_from_json(message->body));
    }
}

std::optional<double> MpiExecutor::silent_s(int group) const {
    return std::chrono::duration<double>(Clock::now() - last_heard_.at(group)).count();
}

void MpiExecutor::abandon(int group) {
    busy_.erase(group);
    abandoned_.insert(group);
}

void MpiExecutor::interrupt() {
    for (int group : busy_) {
        for (int fold = 0; fold < layout_.shape().folds; ++fold) send(comm_, layout_.fold_leader(group, fold), Tag::interrupt, Json::object());
    }
}

void MpiExecutor::stop_early(int group, std::int64_t trial) {
    for (int fold = 0; fold < layout_.shape().folds; ++fold) {
        send(comm_, layout_.fold_leader(group, fold), Tag::stop_early, Json{{"trial", trial}});
    }
}

void MpiExecutor::shutdown() {
    for (int group = 0; group < groups(); ++group) {
        if (!abandoned_.count(group)) send(comm_, layout_.group_leader(group), Tag::stop, Json::object());
    }
}

void serve(const Layout& layout, int rank, workload::Workload& workload, MPI_Comm world, const Communicators& comms) {
    const Role role = layout.role(rank);
    log::info("serving {}", role.group_leader ? "as its group's leader" : role.fold_leader ? "as its fold team's leader" : "in its fold team");
    if (role.group_leader) {
        lead_group(layout, workload, world, comms);
    } else if (role.fold_leader) {
        lead_fold(role, workload, world, comms);
    } else {
        join_team(role, workload, comms);
    }
}

}  // namespace hpopt::cluster
