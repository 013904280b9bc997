#include <doctest/doctest.h>

#include "hpopt/cluster/layout.hpp"

using namespace hpopt;
using cluster::Layout;
using cluster::Role;

TEST_CASE("the world size follows the formula") {
    CHECK(Layout({1, 1, 0, 1, 1}).ranks() == 2);
    CHECK(Layout({2, 2, 1, 2, 1}).ranks() == 13);
    CHECK(Layout({16, 1, 0, 1, 1}).ranks() == 17);
    CHECK(Layout({2, 1, 0, 2, 2}).ranks() == 9);
}

TEST_CASE("roles: coordinator, then groups of fold teams of masters and workers") {
    const Layout layout({2, 2, 1, 2, 1});
    CHECK(layout.role(0).kind == Role::Kind::coordinator);
    const Role first = layout.role(1);
    CHECK(first.kind == Role::Kind::master);
    CHECK(first.group == 0);
    CHECK(first.fold == 0);
    CHECK(first.group_leader);
    CHECK(first.fold_leader);
    const Role fold_leader = layout.role(4);
    CHECK(fold_leader.fold == 1);
    CHECK(fold_leader.fold_leader);
    CHECK_FALSE(fold_leader.group_leader);
    const Role worker = layout.role(12);
    CHECK(worker.kind == Role::Kind::worker);
    CHECK(worker.group == 1);
    CHECK(worker.fold == 1);
    CHECK(worker.worker == 1);
    CHECK(worker.serving_master == 0);
    CHECK(layout.group_leader(1) == 7);
    CHECK(layout.fold_leader(1, 1) == 10);
}

TEST_CASE("without masters the first worker rank leads; a worker spans its ranks") {
    const Layout layout({1, 1, 0, 2, 3});
    CHECK(layout.ranks() == 7);
    const Role leader = layout.role(1);
    CHECK(leader.kind == Role::Kind::worker);
    CHECK(leader.group_leader);
    CHECK(leader.serving_master == -1);
    const Role last = layout.role(6);
    CHECK(last.worker == 1);
    CHECK(last.worker_rank == 2);
    CHECK_FALSE(last.fold_leader);
    CHECK(cluster::describe(layout).find("worker 1 rank 2") != std::string::npos);
    CHECK(cluster::describe(layout, true).find("worker 1 stage 2") != std::string::npos);  // a pipeline's stages
}

TEST_CASE("sub-masters share the workers; master 0 is the top master") {
    const Layout layout({1, 1, 3, 4, 1});  // masters 0 (top), 1, 2; workers 0..3
    std::vector<int> served;
    for (int rank = 4; rank < 8; ++rank) served.push_back(layout.role(rank).serving_master);
    CHECK(served == std::vector<int>{1, 1, 2, 2});
    CHECK(cluster::describe(layout).find("master 0 (top)") != std::string::npos);
}

TEST_CASE("a world size that does not fit names the formula, the values and the -np that fits") {
    const Layout layout({2, 2, 1, 2, 1});
    CHECK(layout.mismatch(13).empty());
    CHECK(layout.mismatch(5) ==
          "the layout needs 1 + groups * folds * (masters + workers * ranks_per_worker) = 1 + 2 * 2 * (1 + 2 * 1) = 13 "
          "ranks; run it with mpirun -np 13 (got 5)");
}

TEST_CASE("a resumed run on another world size takes as many groups as fit, its fold teams unchanged") {
    const Layout layout({2, 2, 1, 2, 1});  // 6 ranks a group
    CHECK(layout.regrouped(25)->groups == 4);
    CHECK(layout.regrouped(7)->groups == 1);
    CHECK(layout.regrouped(13)->folds == 2);
    CHECK(layout.regrouped(13)->workers == 2);
    CHECK(!layout.regrouped(12));  // 11 ranks for groups of 6
    CHECK(!layout.regrouped(1));
}

TEST_CASE("team roles: the top master serves the sub-masters, each sub-master a share of the workers") {
    const cluster::TeamRoles roles(spec::Layout{1, 1, 3, 4, 2});  // masters 0, 1, 2; workers at 3-4, 5-6, 7-8, 9-10
    CHECK(roles.ranks() == 11);
    CHECK(roles.has_sub_masters());
    CHECK(roles.clients_of(0) == std::vector<int>{1, 2});
    CHECK(roles.clients_of(1) == std::vector<int>{3, 5});
    CHECK(roles.clients_of(2) == std::vector<int>{7, 9});
    CHECK(roles.server_of(0) == -1);
    CHECK(roles.server_of(1) == 0);
    CHECK(roles.server_of(7) == 2);
    CHECK(roles.worker_of(8) == 2);
    CHECK(roles.rank_in_worker(8) == 1);
    const cluster::TeamRoles single(spec::Layout{1, 1, 1, 3, 1});
    CHECK_FALSE(single.has_sub_masters());
    CHECK(single.clients_of(0) == std::vector<int>{1, 2, 3});
    CHECK(cluster::TeamRoles(spec::Layout{1, 1, 0, 2, 1}).server_of(1) == -1);  // all-reduce: no masters
}

TEST_CASE("each rank's label names its role for the log") {
    const cluster::Layout layout({1, 2, 1, 2, 2});
    CHECK(cluster::label(layout.role(0)) == "rank 0 (coordinator)");
    CHECK(cluster::label(layout.role(1)) == "rank 1 (group 0 fold 0 master 0)");
    CHECK(cluster::label(layout.role(10)) == "rank 10 (group 0 fold 1 worker 1.1)");
}
