#pragma once
// One rank's part in training a fold, whatever the algorithm (allreduce.hpp,
// parameter_server.hpp): the trial, its learner with its parameters as one flat buffer, the
// rank's team and checkpoint file; and what every algorithm decides alike: the FoM of an epoch,
// why a team stops early, the epoch's record for the journal, the checkpoint to continue from.
#include <optional>
#include <string>

#include <torch/torch.h>

#include "hpopt/workload/team.hpp"
#include "train/checkpoint.hpp"
#include "train/flat_model.hpp"
#include "train/learner.hpp"
#include "train/team.hpp"

namespace hpopt::train {

// What a team's first rank asks of the others in a step's collective: to go on, to stop at the
// trial's deadline, because the search is being interrupted or because early stopping stopped
// the trial, or to go on after a checkpoint (training.checkpoint_every_s). It travels as a float
// (the others add 0), so the values are fixed.
enum class TeamRequest : int { none = 0, deadline = 1, interruption = 2, checkpoint = 3, stop_early = 4 };

// Why a fold's training ends before its last epoch.
struct Halt {
    // rank_failed: a rank's step threw; the team learns which and why from SharedFailure.
    enum class Cause { diverged, deadline, interrupted, rank_failed, stopped_early };
    Cause cause;
    std::string reason;  // for people: "the training loss is nan in epoch 3"

    // A workload::TrialInterrupted for an interruption (the trial runs again on resume), a
    // workload::TrialStopped for an early stop, a workload::TrialFailure otherwise.
    [[noreturn]] void raise() const;
};

// The halt a team's loss sum calls for in `epoch`: none while it is finite.
std::optional<Halt> halt_for_loss(float loss_sum, std::int64_t epoch);
// The halt the first rank's `request` asks for in `epoch`, if any.
std::optional<Halt> halt_for_request(TeamRequest request, std::int64_t epoch);
// Whether the team stops after a step of `epoch` whose team loss sum is `loss_sum`, as its first
// rank's `request` says or a loss that is not finite demands.
std::optional<Halt> halt_after(float loss_sum, TeamRequest request, std::int64_t epoch);

// A rank's own failure in a step, kept until a collective of the training shares it (a rank
// that threw alone would leave the others waiting in the collective): then every rank leaves the
// fold at the same point, with the first failing rank's reason. A rank alone throws at once.
class SharedFailure {
public:
    // Runs `step`; in a team, what it throws is kept (the first failure only) and later steps
    // are skipped.
    template <class Step>
    void guard(const Team& team, Step&& step) {
        if (team.alone()) return step();
        failure_.guard(step);
    }

    bool failed() const { return failure_.failed(); }
    // What a rank adds to a step's request slot, whose team sum then says whether any rank
    // failed (failure_marked) beside the first rank's request.
    float mark() const { return failed() ? failure_mark : 0.0f; }
    static bool failure_marked(float slot) { return slot >= failure_mark; }
    // The first rank's request in a slot no rank marked.
    static TeamRequest request_in(float slot) { return static_cast<TeamRequest>(static_cast<int>(slot)); }

    // Collective when `any` (the team agrees whether a rank failed): see
    // workload::TeamFailure::raise_if_any.
    void raise_if_any(const Team& team, bool any) const { failure_.raise_if_any(team.comm(), any); }
    // The same where no collective of the training carried the mark: one all-reduce of a flag.
    void raise_if_any_rank_failed(const Team& team) const { raise_if_any(team, team.max(failed() ? 1 : 0) > 0); }

private:
    static constexpr float failure_mark = 8;  // above every TeamRequest
    workload::TeamFailure failure_;
};

// This rank's checkpoint to continue from, when every rank of the team has one of the same
// position: else none, and the fold starts over.
struct Resumable {
    Position position;  // nothing done when there is none
    std::optional<torch::serialize::InputArchive> archive;
};

class FoldReplica {
public:
    // Shares the team's first rank's initial weights with the others (collective); a pipeline's
    // stage, with the same stage of the other workers.
    FoldReplica(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper, const space::Params& params,
                const workload::TrialContext& context);

    bool checkpoints() const { return settings.checkpoints && checkpoint.enabled(); }
    double fom_of(const EpochRecord& record) const;
    // The first rank's request to the team, from the context's deadline, interruption and early
    // stop, and training.checkpoint_every_s.
    TeamRequest request() const;
    // Collective over the team. With `replicas_agree` (see Checkpoint::open), also from a
    // checkpoint a team of another size saved.
    Resumable resumable(bool replicas_agree = false) const;
    // On the team's first rank: an epoch just validated to the context's report_epoch, with its
    // training loss, what the FoM is made of, and `more` (an object) as the journal's details.
    void report(const EpochRecord& record, const Json& more = Json::object()) const;
    // The same for the epochs done before a checkpoint, again, without details: they were
    // journaled when they were trained.
    void report_restored(const std::vector<EpochRecord>& history) const;

    Learner& learner;
    const TrainingSettings& settings;
    const TrainingParameters hyper;
    const FoldData& data;
    const workload::TrialContext& context;
    Team team;
    FlatModel flat;
    Checkpoint checkpoint;
    SharedFailure failure;  // this rank's, until the team shares it
};

}  // namespace hpopt::train
