#pragma once
// The messages of the coordinator/group protocol: JSON bodies over MPI point-to-point, and a
// receive that waits without burning a core.
//
//   coordinator -> group leader:   trial (id, params, point, seed, attempt, folds, timeout) | stop
//   coordinator -> fold leaders:   interrupt (the search is stopping: stop the trial at the next
//                                  step; looked for while training, ignored by an idle group) |
//                                  stop_early (trial: early stopping stops it; looked for while
//                                  training, ignored for another trial or by an idle group)
//   group leader -> fold leaders:  the same trial | stop
//   fold leader -> group leader:   epoch (trial, fold, epoch, fom) after each epoch | fold_result (ok, fom, reason)
//   group leader -> coordinator:   epoch (its folds', forwarded) | result (status, mean FoM, std,
//                                  per-fold FoMs and curves, reason, duration) | heartbeat (while a
//                                  trial runs, every heartbeat_s at most: from the trial's steps
//                                  and while the leader waits for its folds)
//   fold leader -> its team:       the same trial (a workload that trains as a team) | stop
#include <mpi.h>

#include <optional>

#include "hpopt/cluster/trial_evaluation.hpp"
#include "hpopt/config/json.hpp"
#include "hpopt/journal/trial.hpp"

namespace hpopt::cluster {

enum class Tag : int { trial = 1, stop = 2, fold_result = 3, result = 4, epoch = 5, interrupt = 6, heartbeat = 7, stop_early = 8 };

struct Message {
    int source;
    Tag tag;
    Json body;
};

void send(MPI_Comm comm, int destination, Tag tag, const Json& body);

// The next message from `source` (MPI_ANY_SOURCE for any), of `tag` (nullopt for any); waits at
// most `timeout_s` (nullopt: for ever). It probes and sleeps between probes for 0.5% of the
// time waited so far (50 us to 50 ms): a reply due soon is seen within microseconds, a message
// after a long wait costs at most 0.5% of it in latency, and idle ranks leave the cores alone
// (Open MPI's blocking receive would spin).
std::optional<Message> receive(MPI_Comm comm, int source, std::optional<Tag> tag, std::optional<double> timeout_s);

struct TrialOrder {
    journal::Trial trial;
    int folds = 1;
    std::optional<double> timeout_s;
    std::string checkpoint_root;  // "" for none
    double heartbeat_s = 60;      // the group leader's longest silence while it runs the trial
};

Json to_json(const TrialOrder& order);
TrialOrder trial_order_from_json(const Json& json);
Json to_json(const journal::EpochReport& report);
journal::EpochReport epoch_report_from_json(const Json& json);
Json to_json(const FoldResult& result);
FoldResult fold_result_from_json(const Json& json);
Json result_to_json(const journal::TrialResult& result);
journal::TrialResult result_from_json(const Json& json);

}  // namespace hpopt::cluster
