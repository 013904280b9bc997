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

Layout::Layout(const spec::Layout& shape) : shape_(shape) {}

int Layout::ranks_per_fold() const { return shape_.masters + shape_.workers * shape_.ranks_per_worker; }
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
    if (in_team < shape_.masters) {
        role.kind = Role::Kind::master;
        role.master = in_team;
        return role;
    }
    role.kind = Role::Kind::worker;
    role.worker = (in_team - shape_.masters) / shape_.ranks_per_worker;
    role.worker_rank = (in_team - shape_.masters) % shape_.ranks_per_worker;
    if (shape_.masters == 1) {
        role.serving_master = 0;
    } else if (shape_.masters > 1) {
        // Sub-masters 1 .. M-1 each serve a contiguous share of the workers.
        const int sub_masters = shape_.masters - 1;
        role.serving_master = 1 + role.worker * sub_masters / shape_.workers;
    }
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

std::string describe(const Layout& layout) {
    const spec::Layout& s = layout.shape();
    std::string text = fmt::format(
        "{} ranks = 1 + groups {} * folds {} * (masters {} + workers {} * ranks_per_worker {})\n", layout.ranks(), s.groups,
        s.folds, s.masters, s.workers, s.ranks_per_worker);
    text += fmt::format("{:>6}  {:<11}  {:>5}  {:>4}  {:<28}  {}\n", "rank", "role", "group", "fold", "detail", "leads");
    for (const Role& r : layout.roles()) {
        std::string detail, leads;
        if (r.kind == Role::Kind::master) detail = r.master == 0 && s.masters > 1 ? "master 0 (top)" : fmt::format("master {}", r.master);
        if (r.kind == Role::Kind::worker) {
            detail = fmt::format("worker {} rank {}", r.worker, r.worker_rank);
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
