#include "hpopt/cluster/mpi_executor.hpp"

#include "hpopt/cluster/messages.hpp"

namespace hpopt::cluster {
namespace {

using Clock = std::chrono::steady_clock;

// Tells the rest of this rank's fold team (ranks 1.. of the team's communicator) to leave.
void stop_team(const Communicators& comms) {
    int size = 0;
    MPI_Comm_size(comms.fold_team, &size);
    for (int member = 1; member < size; ++member) send(comms.fold_team, member, Tag::stop, Json::object());
}

// A group leader: fold 0 here, the other folds on their fold leaders (rank fold * ranks_per_fold
// of the group's communicator), the result to the coordinator.
void lead_group(const Layout& layout, workload::Workload& workload, MPI_Comm world, const Communicators& comms) {
    const int folds = layout.shape().folds;
    const auto fold_leader = [&](int fold) { return fold * layout.ranks_per_fold(); };
    while (true) {
        const Message message = *receive(world, 0, std::nullopt, std::nullopt);
        if (message.tag == Tag::stop) {
            for (int fold = 1; fold < folds; ++fold) send(comms.group, fold_leader(fold), Tag::stop, Json::object());
            stop_team(comms);
            return;
        }
        const auto start = Clock::now();
        const TrialOrder order = trial_order_from_json(message.body);
        for (int fold = 1; fold < folds; ++fold) send(comms.group, fold_leader(fold), Tag::trial, message.body);
        std::vector<FoldResult> results(static_cast<std::size_t>(folds));
        results[0] = evaluate_fold(workload, order.trial, 0, folds, order.timeout_s, start);
        for (int received = 1; received < folds; ++received) {
            const Message fold_message = *receive(comms.group, MPI_ANY_SOURCE, Tag::fold_result, std::nullopt);
            results[static_cast<std::size_t>(fold_message.source / layout.ranks_per_fold())] =
                fold_result_from_json(fold_message.body);
        }
        journal::TrialResult result = combine_folds(order.trial.id, results);
        result.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
        send(world, 0, Tag::result, result_to_json(result));
    }
}

// A fold leader of fold >= 1: its fold of each trial its group leader shares.
void lead_fold(const Role& role, workload::Workload& workload, const Communicators& comms) {
    while (true) {
        const Message message = *receive(comms.group, 0, std::nullopt, std::nullopt);
        if (message.tag == Tag::stop) {
            stop_team(comms);
            return;
        }
        const TrialOrder order = trial_order_from_json(message.body);
        const FoldResult result = evaluate_fold(workload, order.trial, role.fold, order.folds, order.timeout_s, Clock::now());
        send(comms.group, 0, Tag::fold_result, to_json(result));
    }
}

}  // namespace

MpiExecutor::MpiExecutor(const Layout& layout, MPI_Comm comm, std::optional<double> trial_timeout_s)
    : layout_(layout), comm_(comm), trial_timeout_s_(trial_timeout_s) {}

void MpiExecutor::start(int group, const journal::Trial& trial) {
    send(comm_, layout_.group_leader(group), Tag::trial, to_json(TrialOrder{trial, layout_.shape().folds, trial_timeout_s_}));
}

std::optional<Finished> MpiExecutor::wait(double timeout_s) {
    const auto message = receive(comm_, MPI_ANY_SOURCE, Tag::result, timeout_s);
    if (!message) return std::nullopt;
    return Finished{layout_.role(message->source).group, result_from_json(message->body)};
}

void MpiExecutor::shutdown() {
    for (int group = 0; group < groups(); ++group) send(comm_, layout_.group_leader(group), Tag::stop, Json::object());
}

void serve(const Layout& layout, int rank, workload::Workload& workload, MPI_Comm world, const Communicators& comms) {
    const Role role = layout.role(rank);
    if (role.group_leader) {
        lead_group(layout, workload, world, comms);
    } else if (role.fold_leader) {
        lead_fold(role, workload, comms);
    } else {
        // Masters and workers have no part in evaluating an analytic trial yet: they wait to stop.
        receive(comms.fold_team, 0, Tag::stop, std::nullopt);
    }
}

}  // namespace hpopt::cluster
