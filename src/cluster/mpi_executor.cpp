#include "hpopt/cluster/mpi_executor.hpp"

#include "hpopt/cluster/messages.hpp"

namespace hpopt::cluster {
namespace {

using Clock = std::chrono::steady_clock;

// The ranks of a fold team besides its leader.
std::vector<int> team_members(const Layout& layout, int group, int fold) {
    std::vector<int> members;
    const int leader = layout.fold_leader(group, fold);
    for (int rank = leader + 1; rank < leader + layout.ranks_per_fold(); ++rank) members.push_back(rank);
    return members;
}

void stop_team(const Layout& layout, const Role& role, MPI_Comm comm) {
    for (int member : team_members(layout, role.group, role.fold)) send(comm, member, Tag::stop, Json::object());
}

// A group leader: fold 0 here, the other folds on their fold leaders, the result to the coordinator.
void lead_group(const Layout& layout, const Role& role, workload::Workload& workload, MPI_Comm comm) {
    const int folds = layout.shape().folds;
    while (true) {
        const Message message = *receive(comm, 0, std::nullopt, std::nullopt);
        if (message.tag == Tag::stop) {
            for (int fold = 1; fold < folds; ++fold) send(comm, layout.fold_leader(role.group, fold), Tag::stop, Json::object());
            stop_team(layout, role, comm);
            return;
        }
        const auto start = Clock::now();
        const TrialOrder order = trial_order_from_json(message.body);
        for (int fold = 1; fold < folds; ++fold) send(comm, layout.fold_leader(role.group, fold), Tag::trial, message.body);
        std::vector<FoldResult> results(static_cast<std::size_t>(folds));
        results[0] = evaluate_fold(workload, order.trial, 0, folds, order.timeout_s, start);
        for (int received = 1; received < folds; ++received) {
            const Message fold_message = *receive(comm, MPI_ANY_SOURCE, Tag::fold_result, std::nullopt);
            results[static_cast<std::size_t>(layout.role(fold_message.source).fold)] = fold_result_from_json(fold_message.body);
        }
        journal::TrialResult result = combine_folds(order.trial.id, results);
        result.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
        send(comm, 0, Tag::result, result_to_json(result));
    }
}

// A fold leader of fold >= 1: its fold of each trial its group leader shares.
void lead_fold(const Layout& layout, const Role& role, workload::Workload& workload, MPI_Comm comm) {
    const int group_leader = layout.group_leader(role.group);
    while (true) {
        const Message message = *receive(comm, group_leader, std::nullopt, std::nullopt);
        if (message.tag == Tag::stop) {
            stop_team(layout, role, comm);
            return;
        }
        const TrialOrder order = trial_order_from_json(message.body);
        const FoldResult result = evaluate_fold(workload, order.trial, role.fold, order.folds, order.timeout_s, Clock::now());
        send(comm, group_leader, Tag::fold_result, to_json(result));
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

void serve(const Layout& layout, int rank, workload::Workload& workload, MPI_Comm comm) {
    const Role role = layout.role(rank);
    if (role.group_leader) {
        lead_group(layout, role, workload, comm);
    } else if (role.fold_leader) {
        lead_fold(layout, role, workload, comm);
    } else {
        // Masters and workers have no part in evaluating an analytic trial yet: they wait to stop.
        receive(comm, layout.fold_leader(role.group, role.fold), Tag::stop, std::nullopt);
    }
}

}  // namespace hpopt::cluster
