#include "train/fold_replica.hpp"

#include <cmath>

#include <fmt/format.h>

namespace hpopt::train {

void Halt::raise() const {
    if (cause == Cause::interrupted) throw workload::TrialInterrupted(reason);
    throw workload::TrialFailure(reason);
}

std::optional<Halt> halt_after(float loss_sum, StopRequest request, std::int64_t epoch) {
    if (!std::isfinite(loss_sum)) return Halt{Halt::Cause::diverged, fmt::format("the training loss is {} in epoch {}", loss_sum, epoch)};
    switch (request) {
        case StopRequest::none: return std::nullopt;
        case StopRequest::deadline: return Halt{Halt::Cause::deadline, fmt::format("stopped at the trial's deadline in epoch {}", epoch)};
        case StopRequest::interruption: return Halt{Halt::Cause::interrupted, fmt::format("interrupted in epoch {}", epoch)};
    }
    return std::nullopt;
}

void SharedFailure::raise_if_any(const Team& team, bool any) const {
    if (!any) return;
    const int first = static_cast<int>(team.min(failed() ? team.rank() : team.size()));
    std::string shared = failed() ? (verdict_ ? "v" : "f") + *reason_ : "";
    team.broadcast(shared, first);
    const std::string reason = fmt::format("rank {} of the fold team failed: {}", first, shared.substr(1));
    if (shared.front() == 'v') throw workload::TrialFailure(reason);
    throw std::runtime_error(reason);
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
      checkpoint(context, params, team.rank(), team.size()) {
    team.broadcast(flat.parameters().data_ptr<float>(), flat.size());
}

double FoldReplica::fom_of(const EpochRecord& record) const {
    return settings.fom == Fom::validation_loss ? record.validation_loss : record.validation_error;
}

StopRequest FoldReplica::stop_request() const {
    if (context.past_deadline()) return StopRequest::deadline;
    return context.interrupted() ? StopRequest::interruption : StopRequest::none;
}

Resumable FoldReplica::resumable() const {
    Resumable resumable;
    resumable.archive = checkpoint.open(hyper.epochs, resumable.epoch);
    if (team.min(resumable.epoch) != team.max(resumable.epoch) || resumable.epoch == 0) return {};
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
