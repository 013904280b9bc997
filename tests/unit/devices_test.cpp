#include <doctest/doctest.h>

#include <cstdlib>

#include "hpopt/workload/devices.hpp"

using namespace hpopt;
using workload::Devices;

namespace {

Devices read(const Json& value, config::Problems& problems) {
    const Json options = {{"devices", value}};  // the reader keeps a pointer to it
    config::ObjectReader reader(options, "workload", problems);
    return workload::read_devices(reader, "devices");
}

}  // namespace

TEST_CASE("each rank of a node gets one device, by its place on the node") {
    const std::vector<std::string> four = {"0", "1", "2", "3"};
    CHECK(workload::device_for({}, 0, four) == "0");
    CHECK(workload::device_for({}, 5, four) == "1");  // more ranks than devices: they share
    CHECK(workload::device_for({}, 3, {}) == std::nullopt);  // "auto" without devices: left alone
    CHECK(workload::device_for({Devices::Kind::none, {}}, 2, four) == "");  // hidden
    const Devices listed{Devices::Kind::listed, {"7", "GPU-8f1c"}};
    CHECK(workload::device_for(listed, 1, four) == "GPU-8f1c");
    CHECK(workload::device_for(listed, 2, {}) == "7");
}

TEST_CASE("the framework's training computes on the chosen device, by its place among those the process sees") {
    const std::vector<std::string> launcher_shows = {"4", "5", "GPU-ab"};
    CHECK(workload::device_index_for({}, 4, launcher_shows) == 1);
    CHECK(workload::device_index_for({}, 0, {}) == std::nullopt);  // no GPU: the CPU
    CHECK(workload::device_index_for({Devices::Kind::none, {}}, 1, launcher_shows) == std::nullopt);
    CHECK(workload::device_index_for({Devices::Kind::listed, {"GPU-ab", "4"}}, 2, launcher_shows) == 2);
    CHECK_THROWS_WITH_AS(workload::device_index_for({Devices::Kind::listed, {"0"}}, 0, {}),
                         "device 0 is not among those this process sees (none)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(workload::device_index_for({Devices::Kind::listed, {"7"}}, 0, launcher_shows),
                         "device 7 is not among those this process sees (4, 5, GPU-ab)", std::invalid_argument);
}

TEST_CASE("the launcher's variables give the node-local rank and the visible devices") {
    setenv("OMPI_COMM_WORLD_LOCAL_RANK", "3", 1);
    CHECK(workload::node_local_rank() == 3);
    setenv(workload::node_local_rank_variable, "4", 1);  // MPI's own split comes first
    CHECK(workload::node_local_rank() == 4);
    unsetenv(workload::node_local_rank_variable);
    unsetenv("OMPI_COMM_WORLD_LOCAL_RANK");
    setenv("SLURM_LOCALID", "2", 1);
    CHECK(workload::node_local_rank() == 2);
    unsetenv("SLURM_LOCALID");
    CHECK(workload::node_local_rank() == 0);

    setenv("CUDA_VISIBLE_DEVICES", "4,5,GPU-ab", 1);
    CHECK(workload::visible_devices() == std::vector<std::string>{"4", "5", "GPU-ab"});
    setenv("CUDA_VISIBLE_DEVICES", "", 1);
    CHECK(workload::visible_devices().empty());  // the launcher hid them all
    unsetenv("CUDA_VISIBLE_DEVICES");
}

TEST_CASE("a spec's devices: auto, none, a list of ids, or a problem") {
    config::Problems problems;
    CHECK(read("auto", problems).kind == Devices::Kind::automatic);
    CHECK(read("none", problems).kind == Devices::Kind::none);
    const Devices listed = read(Json::array({0, "GPU-1"}), problems);
    CHECK(listed.kind == Devices::Kind::listed);
    CHECK(listed.listed == std::vector<std::string>{"0", "GPU-1"});
    CHECK(problems.empty());
    read(Json::array(), problems);
    read("gpu", problems);
    CHECK(problems.size() == 2);
}
