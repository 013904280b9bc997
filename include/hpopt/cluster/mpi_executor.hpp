#pragma once
// The coordinator's side of an MPI job: trials go to group leaders, results come back from them.
#include <mpi.h>

#include <chrono>
#include <map>
#include <set>

#include "hpopt/cluster/communicators.hpp"
#include "hpopt/cluster/executor.hpp"
#include "hpopt/cluster/layout.hpp"

namespace hpopt::cluster {

class MpiExecutor : public Executor {
public:
    // `silence_limit_s`: how long a group may be silent before it counts as hung; its leader
    // sends a heartbeat every tenth of that while it runs a trial.
    MpiExecutor(const Layout& layout, MPI_Comm comm, std::optional<double> trial_timeout_s, double silence_limit_s,
                std::string checkpoint_root = "");

    int groups() const override { return layout_.shape().groups; }
    void start(int group, const journal::Trial& trial) override;
    std::optional<Finished> wait(double timeout_s) override;
    void shutdown() override;
    void interrupt() override;
    std::optional<double> silent_s(int group) const override;
    void abandon(int group) override;
    void stop_early(int group, std::int64_t trial) override;

private:
    using Clock = std::chrono::steady_clock;

    Layout layout_;
    MPI_Comm comm_;
    std::optional<double> trial_timeout_s_;
    double heartbeat_s_;
    std::string checkpoint_root_;
    std::set<int> busy_;                        // groups with a trial
    std::set<int> abandoned_;                   // hung groups
    std::map<int, Clock::time_point> last_heard_;  // by group
};

// The work of every rank but the coordinator: group leaders take trials from the coordinator and
// share them with their fold leaders; fold leaders evaluate their fold, with the rest of their
// fold team when the workload trains as a team; every rank leaves when told to stop.
void serve(const Layout& layout, int rank, workload::Workload& workload, MPI_Comm world, const Communicators& comms);

}  // namespace hpopt::cluster
