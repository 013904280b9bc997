#include "train/parameter_server_parts.hpp"

#include "train/training_device.hpp"

namespace hpopt::train::parameter_server {
namespace {

constexpr int header_values = 6;

constexpr int as_int(Tag tag) { return static_cast<int>(tag); }

// A ReplyState travels as two int64 values.
std::int64_t* values_of(ReplyState& state) { return &state.version; }
const std::int64_t* values_of(const ReplyState& state) { return &state.version; }

}  // namespace

Rule rule_for(Algorithm algorithm, bool client_is_master) {
    if (algorithm == Algorithm::easgd) return Rule::elastic;
    if (algorithm == Algorithm::gem || client_is_master) return Rule::displacement;
    return Rule::gradient_step;
}

ReplyState exchange_with_master(const Team& team, int master, const UpdateHeader& header, const torch::Tensor& outgoing,
                                torch::Tensor answer) {
    const std::int64_t values[header_values] = {header.based_on,       header.end_of_epoch,   header.served.updates,
                                                header.served.rejected, header.served.largest, header.served.total};
    team.send(values, header_values, master, as_int(Tag::header));
    // The master may be busy with others; once it says go it waits for the update, so the
    // probes here sleep briefly.
    team.wait_for_message(master, std::chrono::microseconds(100));
    std::int64_t go = 0;
    team.receive(&go, 1, master, as_int(Tag::go));
    team.send(outgoing.data_ptr<float>(), outgoing.numel(), master, as_int(Tag::update));
    team.wait_for_message(master);
    ReplyState state;
    team.receive(values_of(state), 2, master, as_int(Tag::reply_state));
    on_host(answer, [&](float* values) { team.receive(values, answer.numel(), master, as_int(Tag::reply)); });
    if (state.verdict == Verdict::hold) {
        team.wait_for_message(master);
        team.receive(values_of(state), 2, master, as_int(Tag::release));
    }
    return state;
}

UpdateHeader receive_header(const Team& team, int client) {
    std::int64_t values[header_values];
    team.receive(values, header_values, client, as_int(Tag::header));
    return {values[0], values[1], {values[2], values[3], values[4], values[5]}};
}

void receive_update(const Team& team, int client, torch::Tensor& incoming) {
    const std::int64_t go = 1;
    team.send(&go, 1, client, as_int(Tag::go));
    team.receive(incoming.data_ptr<float>(), incoming.numel(), client, as_int(Tag::update));
}

void send_answer(const Team& team, int client, const torch::Tensor& answer, const ReplyState& state) {
    team.send(values_of(state), 2, client, as_int(Tag::reply_state));
    team.send(answer.data_ptr<float>(), answer.numel(), client, as_int(Tag::reply));
}

void send_release(const Team& team, int client, const ReplyState& state) { team.send(values_of(state), 2, client, as_int(Tag::release)); }

}  // namespace hpopt::train::parameter_server
