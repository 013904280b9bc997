#pragma once
// The process layout of an MPI job: rank 0 is the coordinator; the others form `groups`
// groups of `folds` fold teams, each of `masters` masters and `workers` workers of
// `ranks_per_worker` ranks:  ranks = 1 + groups * folds * (masters + workers * ranks_per_worker).
// Every rank's role follows from its number alone, so any rank (or `hpopt layout`, without
// MPI) can work out the whole map. TeamRoles is the part of that map inside one fold team, which
// the parameter server's masters and workers find each other by.
#include <optional>
#include <string>
#include <vector>

#include "hpopt/spec/layout.hpp"

namespace hpopt::cluster {

// Who is who inside a fold team, by the team's ranks: masters first (rank 0 the top master,
// 1 .. M-1 sub-masters), then the workers, ranks_per_worker consecutive ranks each, the first of
// them the worker's leader. With one master it serves every worker; with sub-masters the top
// master serves them and each sub-master a contiguous share of the workers.
class TeamRoles {
public:
    explicit TeamRoles(const spec::Layout& layout) : layout_(layout) {}

    int ranks() const { return layout_.masters + layout_.workers * layout_.ranks_per_worker; }
    int workers() const { return layout_.workers; }
    bool is_master(int rank) const { return rank < layout_.masters; }
    bool has_sub_masters() const { return layout_.masters > 1; }
    int worker_of(int rank) const { return (rank - layout_.masters) / layout_.ranks_per_worker; }
    int rank_in_worker(int rank) const { return (rank - layout_.masters) % layout_.ranks_per_worker; }
    int worker_leader(int worker) const { return layout_.masters + worker * layout_.ranks_per_worker; }
    // The master a sub-master or a worker exchanges with: -1 for the top master, and where the
    // team has no masters.
    int server_of(int rank) const;
    // The ranks a master serves: worker leaders, or the sub-masters for the top one above them.
    std::vector<int> clients_of(int master) const;

private:
    spec::Layout layout_;
};

struct Role {
    enum class Kind { coordinator, master, worker };
    Kind kind = Kind::coordinator;
    int rank = 0;
    int group = -1;
    int fold = -1;            // the fold team within the group
    int master = -1;          // masters: 0 is the top master when there are several
    int worker = -1;          // workers: index within the fold team
    int worker_rank = -1;     // workers: rank within the worker (0 .. ranks_per_worker - 1)
    int serving_master = -1;  // workers: the master it talks to; -1 without masters

    bool group_leader = false;  // the first rank of the group: talks to the coordinator
    bool fold_leader = false;   // the first rank of a fold team: evaluates the team's fold
};

std::string to_string(Role::Kind kind);
// "rank 0 (coordinator)", "rank 5 (group 1 fold 0 worker 1.0)": who writes a log line.
std::string label(const Role& role);

class Layout {
public:
    explicit Layout(const spec::Layout& shape);

    const spec::Layout& shape() const { return shape_; }
    int ranks() const;            // the world size this layout needs
    int ranks_per_group() const;
    int ranks_per_fold() const { return team_.ranks(); }

    Role role(int rank) const;
    std::vector<Role> roles() const;  // every rank, in order
    int group_leader(int group) const;
    int fold_leader(int group, int fold) const;

    // "needs 1 + groups * folds * (masters + workers * ranks_per_worker) = 1 + 2 * 2 * (1 + 2 * 1)
    // = 13 ranks; run it with mpirun -np 13 (got 5)": empty when `world_size` fits.
    std::string mismatch(int world_size) const;
    // This layout with as many groups as `world_size` holds (its fold teams unchanged), for a
    // resumed run on another number of ranks; nullopt when no whole number of groups fits.
    std::optional<spec::Layout> regrouped(int world_size) const;

private:
    spec::Layout shape_;
    TeamRoles team_;
};

// The rank map as a table, one line per rank, for `hpopt layout`; a worker's ranks as the stages
// of its pipeline with `pipeline` (training.parallelism "pipeline").
std::string describe(const Layout& layout, bool pipeline = false);

}  // namespace hpopt::cluster
