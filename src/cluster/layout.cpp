#include "hpopt/cluster/layout.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace hpopt::cluster {

std::string to_string(Role::Kind kind) {
    switch (kind) {
        case Role::Kind::coordinator: return "coordinator";
        case Role::Kind::master: return "master";
        case Role::Kind::worker: return "worker";
    }
    return "?";
}

int TeamRoles::server_of(int rank) const {
    if (rank == 0 || layout_.masters == 0) return -1;
    if (is_master(rank) || layout_.masters == 1) return 0;
    return 1 + worker_of(rank) * (layout_.masters - 1) / layout_.workers;
}

std::vector<int> TeamRoles::clients_of(int master) const {
    std::vector<int> clients;
    if (master == 0 && layout_.masters > 1) {
        for (int m = 1; m < layout_.masters; ++m) clients.push_back(m);
        return clients;
    }
    for (int w = 0; w < layout_.workers; ++w) {
        if (server_of(worker_leader(w)) == master) clients.push_back(worker_leader(w));
    }
    return clients;
}

Layout::Layout(const spec::Layout& shape) : shape_(shape), team_(shape) {}

int Layout::ranks_per_group() const { return shape_.folds * ranks_per_fold(); }
int Layout::ranks() const { return 1 + shape_.groups * ranks_per_group(); }

int Layout::group_leader(int group) const { return 1 + group * ranks_per_group(); }
int Layout::fold_leader(int group, int fold) const { return group_leader(group) + fold * ranks_per_fold(); }

Role Layout::role(int rank) const {
    if (rank < 0 || rank >= ranks()) throw std::out_of_range(fmt::format("rank {} is outside the layout", rank));
    Role role;
    role.rank = rank;
    if (rank == 0) return role;
    const int in_job = rank - 1;
    role.group = in_job / ranks_per_group();
    role.fold = in_job % ranks_per_group() / ranks_per_fold();
    const int in_team = in_job % ranks_per_fold();
    role.group_leader = rank == group_leader(role.group);
    role.fold_leader = in_team == 0;
    if (team_.is_master(in_team)) {
        role.kind = Role::Kind::master;
        role.master = in_team;
        return role;
    }
    role.kind = Role::Kind::worker;
    role.worker = team_.worker_of(in_team);
    role.worker_rank = team_.rank_in_worker(in_team);
    role.serving_master = team_.server_of(in_team);
    return role;
}

std::vector<Role> Layout::roles() const {
    std::vector<Role> all;
    for (int rank = 0; rank < ranks(); ++rank) all.push_back(role(rank));
    return all;
}

std::string Layout::mismatch(int world_size) const {
    if (world_size == ranks()) return "";
    return fmt::format(
        "the layout needs 1 + groups * folds * (masters + workers * ranks_per_worker) = 1 + {} * {} * ({} + {} * {}) = {} "
        "ranks; run it with mpirun -np {} (got {})",
        shape_.groups, shape_.folds, shape_.masters, shape_.workers, shape_.ranks_per_worker, ranks(), ranks(), world_size);
}

std::optional<spec::Layout> Layout::regrouped(int world_size) const {
    const int workers = world_size - 1;
    if (workers < ranks_per_group() || workers % ranks_per_group() != 0) return std::nullopt;
    spec::Layout shape = shape_;
    shape.groups = workers / ranks_per_group();
    return shape;
}

std::string label(const Role& role) {
    switch (role.kind) {
        case Role::Kind::coordinator: return fmt::format("rank {} (coordinator)", role.rank);
        case Role::Kind::master: return fmt::format("rank {} (group {} fold {} master {})", role.rank, role.group, role.fold, role.master);
        case Role::Kind::worker:
            return fmt::format("rank {} (group {} fold {} worker {}.{})", role.rank, role.group, role.fold, role.worker,
                               role.worker_rank);
    }
    return fmt::format("rank {}", role.rank);
}

std::string describe(const Layout& layout, bool pipeline) {
    const spec::Layout& s = layout.shape();
    std::string text = fmt::format(
        "{} ranks = 1 + groups {} * folds {} * (masters {} + workers {} * ranks_per_worker {})\n", layout.ranks(), s.groups,
        s.folds, s.masters, s.workers, s.ranks_per_worker);
    text += fmt::format("{:>6}  {:<11}  {:>5}  {:>4}  {:<28}  {}\n", "rank", "role", "group", "fold", "detail", "leads");
    for (const Role& r : layout.roles()) {
        std::string detail, leads;
        if (r.kind == Role::Kind::master) detail = r.master == 0 && s.masters > 1 ? "master 0 (top)" : fmt::format("master {}", r.master);
        if (r.kind == Role::Kind::worker) {
            detail = fmt::format("worker {} {} {}", r.worker, pipeline ? "stage" : "rank", r.worker_rank);
            if (r.serving_master >= 0) detail += fmt::format(" -> master {}", r.serving_master);
        }
        if (r.kind == Role::Kind::coordinator) leads = "the search";
        if (r.group_leader) leads = "group, fold team";
        else if (r.fold_leader) leads = "fold team";
        text += fmt::format("{:>6}  {:<11}  {:>5}  {:>4}  {:<28}  {}\n", r.rank, to_string(r.kind),
                            r.group >= 0 ? std::to_string(r.group) : "-", r.fold >= 0 ? std::to_string(r.fold) : "-",
                            detail, leads);
    }
    return text;
}

}  // namespace hpopt::cluster
