#include "train/fold_replica.hpp"

#include <cmath>

#include <fmt/format.h>

#include "hpopt/log/log.hpp"
#include "train/pipeline.hpp"
#include "train/training_device.hpp"

namespace hpopt::train {

void Halt::raise() const {
    if (cause == Cause::interrupted) throw workload::TrialInterrupted(reason);
    if (cause == Cause::stopped_early) throw workload::TrialStopped(reason);
    throw workload::TrialFailure(reason);
}

std::optional<Halt> halt_for_loss(float loss_sum, std::int64_t epoch) {
    if (std::isfinite(loss_sum)) return std::nullopt;
    return Halt{Halt::Cause::diverged, fmt::format("the training loss is {} in epoch {}", loss_sum, epoch)};
}

std::optional<Halt> halt_for_request(TeamRequest request, std::int64_t epoch) {
    switch (request) {
        case TeamRequest::none:
        case TeamRequest::checkpoint: return std::nullopt;
        case TeamRequest::deadline: return Halt{Halt::Cause::deadline, fmt::format("stopped at the trial's deadline in epoch {}", epoch)};
        case TeamRequest::interruption: return Halt{Halt::Cause::interrupted, fmt::format("interrupted in epoch {}", epoch)};
        case TeamRequest::stop_early: return Halt{Halt::Cause::stopped_early, fmt::format("stopped early in epoch {}", epoch)};
    }
    return std::nullopt;
}

std::optional<Halt> halt_after(float loss_sum, TeamRequest request, std::int64_t epoch) {
    if (auto halt = halt_for_loss(loss_sum, epoch)) return halt;
    return halt_for_request(request, epoch);
}

FoldReplica::FoldReplica(Learner& learner, const TrainingSettings& settings, const TrainingParameters& hyper,
                         const space::Params& params, const workload::TrialContext& context)
    : learner(learner),
      settings(settings),
      hyper(hyper),
      data(learner.data()),
      context(context),
      team(context.team),
      flat(learner.module()),
      checkpoint(context, params, team.rank(), team.size(), learner.device()) {
    const Team& replicas = learner.pipeline() ? learner.pipeline()->stage : team;
    on_host(flat.parameters(), [&](float* values) { replicas.broadcast(values, flat.size()); });
}

double FoldReplica::fom_of(const EpochRecord& record) const {
    return settings.fom == Fom::validation_loss ? record.validation_loss : record.validation_error;
}

TeamRequest FoldReplica::request() const {
    if (context.past_deadline()) return TeamRequest::deadline;
    if (context.interrupted()) return TeamRequest::interruption;
    if (context.stopped_early()) return TeamRequest::stop_early;
    const auto every_s = settings.checkpoint_every_s;
    return every_s && checkpoints() && checkpoint.seconds_since_saved() >= *every_s ? TeamRequest::checkpoint : TeamRequest::none;
}

Resumable FoldReplica::resumable(bool replicas_agree) const {
    Resumable resumable;
    resumable.archive = checkpoint.open(hyper.epochs, resumable.position, replicas_agree);
    const Position& at = resumable.position;
    const bool agreed = team.min(at.epochs) == team.max(at.epochs) && team.min(at.steps) == team.max(at.steps);
    if (!agreed || !at.started()) return {};
    if (team.rank() == 0) {
        log::info("trial {} fold {}: going on from its checkpoint after epoch {}{}", context.trial_id, context.fold, at.epochs,
                  at.steps ? fmt::format(" and {} step(s) of the next", at.steps) : "");
    }
    return resumable;
}

void FoldReplica::report(const EpochRecord& record, const Json& more) const {
    if (team.rank() != 0 || !context.report_epoch) return;
    Json details{{"training_loss", record.training_loss}};
    if (Json terms = learner.validation_details(); !terms.is_null()) details["fom_terms"] = std::move(terms);
    details.update(more);
    context.report_epoch(record.epoch, fom_of(record), details);
}

void FoldReplica::report_restored(const std::vector<EpochRecord>& history) const {
    if (team.rank() != 0 || !context.report_epoch) return;
    for (const EpochRecord& record : history) context.report_epoch(record.epoch, fom_of(record), nullptr);
}

}  // namespace hpopt::train
