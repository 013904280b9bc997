#include "hpopt/workload/team.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace hpopt::workload {
namespace {

// `text` from `root` to every rank of `team`, whatever its length.
void broadcast(MPI_Comm team, std::string& text, int root) {
    std::int64_t length = static_cast<std::int64_t>(text.size());
    MPI_Request request;
    MPI_Ibcast(&length, 1, MPI_INT64_T, root, team, &request);
    wait_without_spinning(request);
    text.resize(static_cast<std::size_t>(length));
    MPI_Ibcast(text.data(), static_cast<int>(length), MPI_CHAR, root, team, &request);
    wait_without_spinning(request);
}

}  // namespace

void Backoff::pause() {
    std::this_thread::sleep_for(pause_);
    pause_ = std::min(pause_ * 2, longest_);
}

void wait_without_spinning(MPI_Request& request, std::chrono::microseconds longest_pause) {
    Backoff backoff(longest_pause);
    while (true) {
        int done = 0;
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return;
        backoff.pause();
    }
}

bool on_any_rank(MPI_Comm team, bool mine) {
    int any = mine ? 1 : 0;
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, team, &request);
    wait_without_spinning(request);
    return any != 0;
}

void TeamFailure::raise_if_any(MPI_Comm team, bool any) const {
    if (!any) return;
    int rank = 0, size = 1;
    MPI_Comm_rank(team, &rank);
    MPI_Comm_size(team, &size);
    int first = failed() ? rank : size;
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, team, &request);
    wait_without_spinning(request);
    std::string shared = failed() ? static_cast<char>(failure_->kind) + failure_->reason : "";
    broadcast(team, shared, first);
    const auto kind = static_cast<Kind>(shared.front());
    const std::string reason = shared.substr(1);
    if (kind == Kind::interruption) throw TrialInterrupted(reason);
    if (kind == Kind::early_stop) throw TrialStopped(reason);
    const std::string message = fmt::format("rank {} of the fold team failed: {}", first, reason);
    if (kind == Kind::verdict) throw TrialFailure(message);
    throw std::runtime_error(message);
}

}  // namespace hpopt::workload
