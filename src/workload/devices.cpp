#include "hpopt/workload/devices.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace hpopt::workload {

Devices read_devices(config::ObjectReader& reader, const std::string& key) {
    Devices devices;
    const Json* value = reader.any(key);
    if (!value) return devices;
    if (value->is_string()) {
        const std::size_t kind = reader.choice(key, {"auto", "none"}).value_or(0);
        devices.kind = kind == 1 ? Devices::Kind::none : Devices::Kind::automatic;
        return devices;
    }
    const bool ids = value->is_array() && !value->empty() &&
                     std::all_of(value->begin(), value->end(), [](const Json& id) { return id.is_string() || id.is_number_integer(); });
    if (!ids) {
        reader.report(key, "expected \"auto\", \"none\" or a non-empty list of device ids");
        return devices;
    }
    devices.kind = Devices::Kind::listed;
    for (const Json& id : *value) devices.listed.push_back(id.is_string() ? id.get<std::string>() : id.dump());
    return devices;
}

int node_local_rank() {
    for (const char* name : {node_local_rank_variable, "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "MV2_COMM_WORLD_LOCAL_RANK",
                             "SLURM_LOCALID"}) {
        if (const char* value = std::getenv(name)) return std::max(0, std::atoi(value));
    }
    return 0;
}

std::vector<std::string> visible_devices() {
    std::vector<std::string> devices;
    if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) {
        std::string list = visible;
        for (std::size_t start = 0; start < list.size();) {
            const std::size_t comma = std::min(list.find(',', start), list.size());
            if (comma > start) devices.push_back(list.substr(start, comma - start));
            start = comma + 1;
        }
        return devices;
    }
    std::set<int> found;
    const std::regex gpu("nvidia([0-9]+)");
    std::error_code ignored;  // no /dev, or not readable: no devices
    for (const auto& entry : std::filesystem::directory_iterator("/dev", ignored)) {
        std::smatch match;
        const std::string name = entry.path().filename().string();
        if (std::regex_match(name, match, gpu)) found.insert(std::stoi(match[1]));
    }
    for (int id : found) devices.push_back(std::to_string(id));
    return devices;
}

std::optional<std::string> device_for(const Devices& devices, int local_rank, const std::vector<std::string>& visible) {
    if (devices.kind == Devices::Kind::none) return "";
    const std::vector<std::string>& chosen = devices.kind == Devices::Kind::listed ? devices.listed : visible;
    if (chosen.empty()) return std::nullopt;
    return chosen[static_cast<std::size_t>(local_rank) % chosen.size()];
}

std::optional<int> device_index_for(const Devices& devices, int local_rank, const std::vector<std::string>& visible) {
    const std::optional<std::string> chosen = device_for(devices, local_rank, visible);
    if (!chosen || chosen->empty()) return std::nullopt;
    const auto at = std::find(visible.begin(), visible.end(), *chosen);
    if (at == visible.end()) {
        throw std::invalid_argument(fmt::format("device {} is not among those this process sees ({})", *chosen,
                                                visible.empty() ? "none" : fmt::format("{}", fmt::join(visible, ", "))));
    }
    return static_cast<int>(at - visible.begin());
}

}  // namespace hpopt::workload
