#pragma once
// The pieces of parameter-server training (see parameter_server.hpp) that its masters and
// workers share: each worker's shard of an epoch and the messages between a master and the
// clients it serves (workers' leaders, or sub-masters for the top master).
#include <torch/torch.h>

#include "hpopt/cluster/layout.hpp"
#include "hpopt/train/staleness.hpp"
#include "train/fold_replica.hpp"

namespace hpopt::train::parameter_server {

// How many of each epoch's training samples each worker trains on.
inline std::int64_t shard_size(const FoldReplica& replica, const cluster::TeamRoles& roles) {
    return replica.data.training_inputs.size(0) / roles.workers();
}

// What a master does with an update. A worker sends gradients to a Downpour master, which
// steps its optimizer; a GEM worker and any sub-master send a displacement, which the master
// adds; EASGD clients send their weights, and the centre moves towards them by the elastic
// force. The answer is the master's weights, or with EASGD the elastic difference.
enum class Rule { gradient_step, displacement, elastic };
Rule rule_for(Algorithm algorithm, bool client_is_master);

// A client's update: the header, then the n values, the loss sum and the sample count since
// its last update. A sub-master's header also carries the staleness of the updates it applied
// since then, so that the top master can report the whole team's.
struct UpdateHeader {
    std::int64_t based_on = 0;  // the master's version the update was computed on
    std::int64_t end_of_epoch = 0;
    StalenessStatistics served;
};

// The master's answer: n values, then the state. `hold` asks the client to wait at the epoch's
// end for a release, which says go_on or stop.
enum class Verdict : std::int64_t { go_on = 0, stop = 1, hold = 2 };
struct ReplyState {
    std::int64_t version = 0;
    Verdict verdict = Verdict::go_on;
};
static_assert(sizeof(ReplyState) == 2 * sizeof(std::int64_t), "a ReplyState travels as two int64 values");

// An exchange: the client sends its header; the master, when it comes to it, says go and
// receives the update; it answers with the state, then the values; later a release when it
// said hold. Each large message is sent when the other side is receiving it (see Team).
enum class Tag : int { header = 101, go, update, reply_state, reply, release };

// The client's side: sends `outgoing` ([n + 2]) with its header to `master`, takes the answer
// into `answer` ([n]) and, when told to hold, waits for the release. Returns the final state.
ReplyState exchange_with_master(const Team& team, int master, const UpdateHeader& header, const torch::Tensor& outgoing,
                                torch::Tensor answer);

// The master's side: the header, then the update into `incoming` ([n + 2]).
UpdateHeader receive_header(const Team& team, int client);
void receive_update(const Team& team, int client, torch::Tensor& incoming);
void send_answer(const Team& team, int client, const torch::Tensor& answer, const ReplyState& state);
void send_release(const Team& team, int client, const ReplyState& state);

}  // namespace hpopt::train::parameter_server
