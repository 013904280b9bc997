#include "parameter_server_parts.hpp"

#include <fmt/format.h>

#include "training_steps.hpp"

namespace hpopt::train::parameter_server {
namespace {

constexpr int header_values = 6;

}  // namespace

Replica::Replica(Learner& learner, const TrainingSettings& settings, const Hyperparameters& hyper, const space::Params& params,
                 const workload::TrialContext& context)
    : learner(learner),
      settings(settings),
      hyper(hyper),
      data(learner.data()),
      context(context),
      team(context.team),
      roles(settings.team),
      worker_ranks(team.split(roles.is_master(team.rank()) ? MPI_UNDEFINED : roles.worker_of(team.rank()))),
      flat(learner.module()),
      checkpoint(context, params, team.rank(), team.size()) {
    if (team.size() != roles.shape().ranks()) {
        throw workload::TrialFailure(fmt::format("the fold team has {} ranks where its layout needs {}", team.size(),
                                                 roles.shape().ranks()));
    }
    if (shard_size() < 1) throw workload::TrialFailure("fewer training samples than workers");
    if (learner.phases().size() > 1 && settings.algorithm != Algorithm::easgd) {
        throw workload::TrialFailure("a workload of several networks trains with allreduce or easgd only");
    }
    team.broadcast(flat.parameters().data_ptr<float>(), flat.size());
}

Rule rule_for(Algorithm algorithm, bool client_is_master) {
    if (algorithm == Algorithm::easgd) return Rule::elastic;
    if (algorithm == Algorithm::gem || client_is_master) return Rule::displacement;
    return Rule::gradient_step;
}

ReplyState exchange_with_master(const Team& team, int master, const UpdateHeader& header, const torch::Tensor& outgoing,
                                torch::Tensor answer) {
    const std::int64_t values[header_values] = {header.based_on,       header.end_of_epoch,   header.served.updates,
                                                header.served.rejected, header.served.largest, header.served.total};
    team.send(values, header_values, master, header_tag);
    // The master may be busy with others; once it says go it waits for the update, so the
    // probes here sleep briefly.
    team.wait_for_message(master, std::chrono::microseconds(100));
    std::int64_t go = 0;
    team.receive(&go, 1, master, go_tag);
    team.send(outgoing.data_ptr<float>(), outgoing.numel(), master, update_tag);
    team.wait_for_message(master);
    ReplyState state;
    team.receive(&state.version, 2, master, reply_state_tag);
    team.receive(answer.data_ptr<float>(), answer.numel(), master, reply_tag);
    if (state.verdict == hold) {
        team.wait_for_message(master);
        team.receive(&state.version, 2, master, release_tag);
    }
    return state;
}

UpdateHeader receive_header(const Team& team, int client) {
    std::int64_t values[header_values];
    team.receive(values, header_values, client, header_tag);
    return {values[0], values[1], {values[2], values[3], values[4], values[5]}};
}

void receive_update(const Team& team, int client, torch::Tensor& incoming) {
    const std::int64_t go = 1;
    team.send(&go, 1, client, go_tag);
    team.receive(incoming.data_ptr<float>(), incoming.numel(), client, update_tag);
}

void send_answer(const Team& team, int client, const torch::Tensor& answer, const ReplyState& state) {
    team.send(&state.version, 2, client, reply_state_tag);
    team.send(answer.data_ptr<float>(), answer.numel(), client, reply_tag);
}

void send_release(const Team& team, int client, const ReplyState& state) { team.send(&state.version, 2, client, release_tag); }

}  // namespace hpopt::train::parameter_server
