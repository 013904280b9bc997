#include "parameter_server.hpp"

#include "parameter_server_master.hpp"
#include "parameter_server_worker.hpp"

namespace hpopt::train {
namespace parameter_server {
namespace {

// How a rank's part in the training ended: on the top master, why it stopped the training
// ("" when it ran to the end) and the epochs' records.
struct Ending {
    std::string failure;
    bool interrupted = false;  // the failure is the search's interruption
    std::vector<EpochRecord> history;
};

// The top master's epoch records and verdict, sent to every rank so that the team leaves
// together and every rank returns the same.
class Outcome {
public:
    explicit Outcome(std::int64_t epochs) : values_(1 + 4 * static_cast<std::size_t>(epochs), 0.0f) {}

    void pack(const Ending& ending) {
        values_[0] = ending.failure.empty() ? finished : ending.interrupted ? interrupted : failed;
        for (std::size_t i = 0; i < ending.history.size(); ++i) {
            const EpochRecord& r = ending.history[i];
            const float record[4] = {static_cast<float>(r.epoch), static_cast<float>(r.training_loss),
                                     static_cast<float>(r.validation_loss), static_cast<float>(r.validation_error)};
            std::copy(record, record + 4, values_.begin() + static_cast<std::ptrdiff_t>(1 + 4 * i));
        }
    }

    void share(const Team& team) { team.broadcast(values_.data(), static_cast<std::int64_t>(values_.size())); }
    bool ok() const { return values_[0] == finished; }
    bool was_interrupted() const { return values_[0] == interrupted; }

    std::vector<EpochRecord> history() const {
        std::vector<EpochRecord> history;
        for (std::size_t at = 1; at + 4 <= values_.size(); at += 4) {
            history.push_back({static_cast<std::int64_t>(values_[at]), values_[at + 1], values_[at + 2], values_[at + 3]});
        }
        return history;
    }

private:
    static constexpr float failed = 0, finished = 1, interrupted = 2;
    std::vector<float> values_;
};

// One rank's part: restore the team's checkpoints if every rank has one of the same epoch,
// play its role, and learn the outcome.
template <class Role>
Ending play(Replica& replica, Role& role) {
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
        return {failure, role.interrupted(), role.history()};
    } else {
        role.work(epoch);
        return {};
    }
}

}  // namespace
}  // namespace parameter_server

FoldTraining train_with_parameter_server(Learner& learner, const TrainingSettings& settings, const Hyperparameters& hyper,
                                         const space::Params& params, const workload::TrialContext& context) {
    using namespace parameter_server;
    Replica replica(learner, settings, hyper, params, context);
    Ending ending;
    if (replica.roles.is_master(replica.team.rank())) {
        Master master(replica);
        ending = play(replica, master);
    } else {
        Worker worker(replica);
        ending = play(replica, worker);
    }
    // Every rank's checkpoints are written before the fold is reported finished (and a finished
    // trial's checkpoints may be pruned).
    replica.team.barrier();
    Outcome outcome(replica.hyper.epochs);
    if (replica.team.rank() == 0) outcome.pack(ending);
    outcome.share(replica.team);
    const std::string reason = replica.team.rank() == 0 ? ending.failure : "the master stopped the training";
    if (outcome.was_interrupted()) throw workload::TrialInterrupted(reason);
    if (!outcome.ok()) throw workload::TrialFailure(reason);
    const std::vector<EpochRecord> history = outcome.history();
    const EpochRecord& last = history.back();
    return {history, settings.fom == Fom::validation_loss ? last.validation_loss : last.validation_error,
            replica.flat.parameters().clone()};
}

}  // namespace hpopt::train
