#include "parameter_server.hpp"

#include "parameter_server_master.hpp"
#include "parameter_server_worker.hpp"

namespace hpopt::train {
namespace parameter_server {
namespace {

// The top master's epoch records and verdict, sent to every rank so that the team leaves
// together and every rank returns the same.
class Outcome {
public:
    explicit Outcome(std::int64_t epochs) : values_(1 + 4 * static_cast<std::size_t>(epochs), 0.0f) {}

    void pack(bool ok, const std::vector<EpochRecord>& history) {
        values_[0] = ok ? 1.0f : 0.0f;
        for (std::size_t i = 0; i < history.size(); ++i) {
            const EpochRecord& r = history[i];
            const float record[4] = {static_cast<float>(r.epoch), static_cast<float>(r.training_loss),
                                     static_cast<float>(r.validation_loss), static_cast<float>(r.validation_error)};
            std::copy(record, record + 4, values_.begin() + static_cast<std::ptrdiff_t>(1 + 4 * i));
        }
    }

    void share(const Team& team) { team.broadcast(values_.data(), static_cast<std::int64_t>(values_.size())); }
    bool ok() const { return values_[0] != 0.0f; }

    std::vector<EpochRecord> history() const {
        std::vector<EpochRecord> history;
        for (std::size_t at = 1; at + 4 <= values_.size(); at += 4) {
            history.push_back({static_cast<std::int64_t>(values_[at]), values_[at + 1], values_[at + 2], values_[at + 3]});
        }
        return history;
    }

private:
    std::vector<float> values_;
};

// One rank's part: restore the team's checkpoints if every rank has one of the same epoch,
// play its role, and learn the outcome.
template <class Role>
std::pair<std::string, std::vector<EpochRecord>> play(Replica& replica, Role& role) {
    std::int64_t epoch = 0;
    auto archive = replica.checkpoint.open(replica.hyper.epochs, epoch);
    if (replica.team.min(epoch) != replica.team.max(epoch)) epoch = 0;
    if (epoch > 0) role.restore(*archive);
    if constexpr (std::is_same_v<Role, Master>) {
        if (replica.team.rank() == 0 && replica.context.report_epoch) {
            for (const EpochRecord& record : role.history()) {
                replica.context.report_epoch(record.epoch, replica.settings.fom == Fom::validation_loss ? record.validation_loss
                                                                                                          : record.validation_error,
                                             nullptr);
            }
        }
        std::string failure = role.serve(epoch);
        return {failure, role.history()};
    } else {
        role.work(epoch);
        return {"", {}};
    }
}

}  // namespace
}  // namespace parameter_server

FoldTraining train_with_parameter_server(Learner& learner, const TrainingSettings& settings, const Hyperparameters& hyper,
                                         const space::Params& params, const workload::TrialContext& context) {
    using namespace parameter_server;
    Replica replica(learner, settings, hyper, params, context);
    std::string failure;
    std::vector<EpochRecord> history;
    if (replica.roles.is_master(replica.team.rank())) {
        Master master(replica);
        std::tie(failure, history) = play(replica, master);
    } else {
        Worker worker(replica);
        play(replica, worker);
    }
    // Every rank's checkpoints are written before the fold is reported finished (and a finished
    // trial's checkpoints may be pruned).
    replica.team.barrier();
    Outcome outcome(replica.hyper.epochs);
    if (replica.team.rank() == 0) outcome.pack(failure.empty(), history);
    outcome.share(replica.team);
    if (!outcome.ok()) throw workload::TrialFailure(replica.team.rank() == 0 ? failure : "the master stopped the training");
    history = outcome.history();
    const EpochRecord& last = history.back();
    return {history, settings.fom == Fom::validation_loss ? last.validation_loss : last.validation_error,
            replica.flat.parameters().clone()};
}

}  // namespace hpopt::train
