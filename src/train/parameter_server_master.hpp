#pragma once
// A master of a parameter-server fold team: the top master (team rank 0), which holds the
// central model, validates it at each epoch's end and decides when training stops; or a
// sub-master, which serves its share of the workers like a master and every sync_period
// updates exchanges with the top master as its client.
//
// Clients are served in the order their messages arrive. An epoch ends when every client has
// sent its last update of the epoch: those are answered with `hold`, and released together
// once the epoch is recorded and checkpointed, so that each epoch's checkpoints are a
// consistent cut of the whole team.
#include <optional>
#include <set>
#include <vector>

#include "train/parameter_server_parts.hpp"

namespace hpopt::train::parameter_server {

class Master {
public:
    Master(FoldReplica& replica, const cluster::TeamRoles& roles);

    // Serves until the last epoch ends or training stops; returns why the top master stopped
    // it (none when it ran to the end, and always on a sub-master).
    std::optional<Halt> serve(std::int64_t epochs_done);

    const std::vector<EpochRecord>& history() const { return history_; }
    void save(torch::serialize::OutputArchive& archive);
    void restore(torch::serialize::InputArchive& archive);

private:
    bool is_top() const { return replica_.team.rank() == 0; }
    bool synchronous() const { return rule_ == Rule::gradient_step && replica_.settings.sync_fraction > 0; }

    void on_update(int client);
    void decide_halt(float loss_sum);
    void accept_update(int client, std::int64_t based_on);
    void apply_update(double weight);
    void step_when_enough();
    void end_epoch();
    void stop_everyone();
    void reply(int client, Verdict verdict);
    bool waiting(int client) const;

    void sync_with_top(bool end_of_epoch);
    void record_epoch();
    Json staleness_details() const;

    FoldReplica& replica_;
    const cluster::TeamRoles& roles_;
    Rule rule_;
    std::unique_ptr<torch::optim::Optimizer> optimizer_;  // a master that steps with gradients
    StalenessCounter staleness_;
    std::set<int> active_;             // clients still training
    std::vector<int> pending_;         // synchronous: clients whose gradient waits for the step
    std::set<int> parked_;             // clients at the epoch's end
    torch::Tensor gradient_sum_;       // synchronous: the step's weighted gradients
    std::int64_t summed_ = 0;
    double loss_sum_ = 0, samples_ = 0;  // since the last epoch (top) or sync (sub-master)
    std::optional<Halt> halt_;         // the top master's decision to stop the training
    bool stopped_ = false;
    std::int64_t epoch_ = 0;
    std::vector<EpochRecord> history_;
    // The top master: the staleness its sub-masters met since the last epoch.
    StalenessStatistics served_by_sub_masters_;
    // A sub-master: its weights at its last exchange with the top, the top's version then, the
    // updates since, and the staleness statistics not yet sent up.
    torch::Tensor base_;
    std::int64_t based_on_top_ = 0;
    std::int64_t updates_since_sync_ = 0;
    StalenessStatistics reported_;
};

}  // namespace hpopt::train::parameter_server
