#include "train/parameter_server.hpp"

#include <fmt/format.h>

#include "train/parameter_server_master.hpp"
#include "train/parameter_server_worker.hpp"

namespace hpopt::train {
namespace parameter_server {
namespace {

// The top master's epoch records and verdict, sent to every rank so that the team leaves
// together and every rank returns the same.
class Outcome {
public:
    explicit Outcome(std::int64_t epochs) : values_(1 + 4 * static_cast<std::size_t>(epochs), 0.0f) {}

    void pack(const std::optional<Halt>& halt, const std::vector<EpochRecord>& history) {
        values_[0] = halt ? 1.0f + static_cast<float>(halt->cause) : finished;
        for (std::size_t i = 0; i < history.size(); ++i) {
            const EpochRecord& r = history[i];
            const float record[4] = {static_cast<float>(r.epoch), static_cast<float>(r.training_loss),
                                     static_cast<float>(r.validation_loss), static_cast<float>(r.validation_error)};
            std::copy(record, record + 4, values_.begin() + static_cast<std::ptrdiff_t>(1 + 4 * i));
        }
    }

    void share(const Team& team) { team.broadcast(values_.data(), static_cast<std::int64_t>(values_.size())); }

    // Why the top master stopped the training early; none when it ran to the end.
    std::optional<Halt::Cause> halt_cause() const {
        if (values_[0] == finished) return std::nullopt;
        return static_cast<Halt::Cause>(static_cast<int>(values_[0]) - 1);
    }

    std::vector<EpochRecord> history() const {
        std::vector<EpochRecord> history;
        for (std::size_t at = 1; at + 4 <= values_.size(); at += 4) {
            history.push_back({static_cast<std::int64_t>(values_[at]), values_[at + 1], values_[at + 2], values_[at + 3]});
        }
        return history;
    }

private:
    static constexpr float finished = 0;
    std::vector<float> values_;
};

// A fold team the layout does not fit, or a fold the algorithm cannot train: on every rank alike.
void check_team(const FoldReplica& replica, const cluster::TeamRoles& roles) {
    if (replica.team.size() != roles.ranks()) {
        throw workload::TrialFailure(
            fmt::format("the fold team has {} ranks where its layout needs {}", replica.team.size(), roles.ranks()));
    }
    if (shard_size(replica, roles) < 1) throw workload::TrialFailure("fewer training samples than workers");
    if (replica.learner.phases().size() > 1 && replica.settings.algorithm != Algorithm::easgd) {
        throw workload::TrialFailure("a workload of several networks trains with allreduce or easgd only");
    }
}

}  // namespace
}  // namespace parameter_server

FoldTraining train_with_parameter_server(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                                         const space::Params& params, const workload::TrialContext& context) {
    using namespace parameter_server;
    FoldReplica replica(learner, settings, hyper, params, context);
    const cluster::TeamRoles roles(settings.layout);
    check_team(replica, roles);
    const int rank = replica.team.rank();
    const Team worker_ranks = replica.team.split(roles.is_master(rank) ? MPI_UNDEFINED : roles.worker_of(rank));
    // Each rank plays its role from the team's checkpoints, if every rank has one of the same epoch.
    std::optional<Halt> halt;
    std::vector<EpochRecord> history;
    if (roles.is_master(rank)) {
        Master master(replica, roles);
        Resumable resumable = replica.resumable();
        if (resumable.archive) master.restore(*resumable.archive);
        replica.report_restored(master.history());
        halt = master.serve(resumable.position.epochs);
        history = master.history();
    } else {
        Worker worker(replica, roles, worker_ranks);
        Resumable resumable = replica.resumable();
        if (resumable.archive) worker.restore(*resumable.archive);
        worker.work(resumable.position.epochs);
    }
    // Every rank's checkpoints are written before the fold is reported finished (and a finished
    // trial's checkpoints may be pruned).
    replica.team.barrier();
    replica.failure.raise_if_any_rank_failed(replica.team);
    Outcome outcome(hyper.epochs);
    if (rank == 0) outcome.pack(halt, history);
    outcome.share(replica.team);
    if (const std::optional<Halt::Cause> cause = outcome.halt_cause()) {
        Halt{*cause, rank == 0 ? halt->reason : "the master stopped the training"}.raise();
    }
    const std::vector<EpochRecord> shared_history = outcome.history();
    return {shared_history, replica.fom_of(shared_history.back()), replica.flat.parameters_on_host()};
}

}  // namespace hpopt::train
