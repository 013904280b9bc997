#pragma once
// For a workload that trains as a team (trains_as_team()) with MPI calls of its own: a rank whose
// step throws alone would leave the others waiting in their next collective for ever. Wrapped in
// `as_team`, a step that throws on any rank throws on every rank of the team, at the same point,
// with the first failing rank's reason. Waits never spin: ranks here share cores, and Open MPI's
// blocking calls busy-poll.
#include <chrono>
#include <optional>
#include <string>

#include <mpi.h>

#include "hpopt/workload/workload.hpp"

namespace hpopt::workload {

// Pauses that double from 20 us up to a longest one, for a loop that tests whether something
// has happened.
class Backoff {
public:
    explicit Backoff(std::chrono::microseconds longest) : longest_(longest) {}
    void pause();

private:
    std::chrono::microseconds longest_;
    std::chrono::microseconds pause_{20};
};

// Completes `request` (a nonblocking MPI call), sleeping between tests.
void wait_without_spinning(MPI_Request& request, std::chrono::microseconds longest_pause = std::chrono::microseconds(1000));

// Collective over `team`: whether `mine` holds on any rank.
bool on_any_rank(MPI_Comm team, bool mine);

// A rank's own failure in a step, kept until the team shares it.
class TeamFailure {
public:
    // Runs `step`, keeping what it throws (the first failure only); later steps are skipped.
    template <class Step>
    void guard(Step&& step) {
        if (failed()) return;
        try {
            step();
        } catch (const TrialInterrupted& stopped) {
            failure_ = {Kind::interruption, stopped.what()};
        } catch (const TrialStopped& stopped) {
            failure_ = {Kind::early_stop, stopped.what()};
        } catch (const TrialFailure& error) {
            failure_ = {Kind::verdict, error.what()};
        } catch (const std::exception& error) {
            failure_ = {Kind::fault, error.what()};
        }
    }

    bool failed() const { return failure_.has_value(); }

    // Collective over `team` when `any` (every rank agrees whether some rank failed): throws on
    // every rank the failure of the team's first failing rank R: a TrialFailure "rank R of the
    // fold team failed: <reason>" for a verdict on the parameters, a std::runtime_error with that
    // message for a fault, a TrialInterrupted or TrialStopped with the reason for an interruption
    // or an early stop.
    void raise_if_any(MPI_Comm team, bool any) const;

private:
    enum class Kind : char { verdict = 'v', fault = 'f', interruption = 'i', early_stop = 's' };
    struct Failure {
        Kind kind;
        std::string reason;
    };
    std::optional<Failure> failure_;
};

// Collective over `team`: runs `step` on this rank, then every rank learns whether it threw on
// any; if it did, every rank throws that failure (see TeamFailure::raise_if_any). Costs one
// small all-reduce; alone (MPI_COMM_NULL) the step simply runs.
template <class Step>
void as_team(MPI_Comm team, Step&& step) {
    if (team == MPI_COMM_NULL) return step();
    TeamFailure failure;
    failure.guard(step);
    failure.raise_if_any(team, on_any_rank(team, failure.failed()));
}

}  // namespace hpopt::workload
