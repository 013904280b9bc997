#include "hpopt/cluster/messages.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "hpopt/journal/journal.hpp"

namespace hpopt::cluster {
namespace {

journal::TrialStatus status_from(const Json& json) { return journal::trial_status_from(json.get<std::string>()); }

void pause_after_waiting(std::chrono::steady_clock::duration waited) {
    using namespace std::chrono_literals;
    std::this_thread::sleep_for(std::clamp<std::chrono::steady_clock::duration>(waited / 200, 50us, 50ms));
}

}  // namespace

void send(MPI_Comm comm, int destination, Tag tag, const Json& body) {
    const std::string text = body.dump();
    MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, destination, static_cast<int>(tag), comm);
}

std::optional<Message> receive(MPI_Comm comm, int source, std::optional<Tag> tag, std::optional<double> timeout_s) {
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(timeout_s.value_or(0)));
    while (true) {
        int arrived = 0;
        MPI_Status status;
        MPI_Iprobe(source, tag ? static_cast<int>(*tag) : MPI_ANY_TAG, comm, &arrived, &status);
        if (arrived) {
            int length = 0;
            MPI_Get_count(&status, MPI_CHAR, &length);
            std::string text(static_cast<std::size_t>(length), '\0');
            MPI_Recv(text.data(), length, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, comm, MPI_STATUS_IGNORE);
            return Message{status.MPI_SOURCE, static_cast<Tag>(status.MPI_TAG), Json::parse(text)};
        }
        if (timeout_s && std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        pause_after_waiting(std::chrono::steady_clock::now() - start);
    }
}

Json to_json(const TrialOrder& order) {
    Json json = {{"id", order.trial.id},   {"params", order.trial.params}, {"point", order.trial.point},
                 {"seed", order.trial.seed}, {"attempt", order.trial.attempt}, {"folds", order.folds},
                 {"checkpoint_root", order.checkpoint_root}, {"heartbeat_s", order.heartbeat_s}};
    if (order.timeout_s) json["timeout_s"] = *order.timeout_s;
    return json;
}

TrialOrder trial_order_from_json(const Json& json) {
    TrialOrder order;
    order.trial = {json.at("id").get<std::int64_t>(), json.at("params"), json.at("point").get<space::Point>(),
                   json.at("seed").get<std::uint64_t>(), json.at("attempt").get<int>()};
    order.folds = json.at("folds").get<int>();
    if (json.contains("timeout_s")) order.timeout_s = json.at("timeout_s").get<double>();
    order.checkpoint_root = json.at("checkpoint_root").get<std::string>();
    order.heartbeat_s = json.at("heartbeat_s").get<double>();
    return order;
}

Json to_json(const journal::EpochReport& report) {
    return {{"trial", report.trial}, {"fold", report.fold}, {"epoch", report.epoch}, {"fom", config::number_to_json(report.fom)},
            {"details", report.details}};
}

journal::EpochReport epoch_report_from_json(const Json& json) {
    return {json.at("trial").get<std::int64_t>(), json.at("fold").get<int>(), json.at("epoch").get<std::int64_t>(),
            config::number_from_json(json.at("fom")), json.value("details", Json())};
}

Json to_json(const FoldResult& result) {
    return {{"status", to_string(result.status)}, {"fom", config::number_to_json(result.fom)}, {"reason", result.reason},
            {"transient", result.transient}, {"epoch_foms", config::numbers_to_json(result.epoch_foms)}, {"figures", result.figures}};
}

FoldResult fold_result_from_json(const Json& json) {
    return {status_from(json.at("status")), config::number_from_json(json.at("fom")), json.at("reason").get<std::string>(),
            json.at("transient").get<bool>(), config::numbers_from_json(json.at("epoch_foms")), json.at("figures")};
}

Json result_to_json(const journal::TrialResult& result) {
    Json epoch_foms = Json::array();
    for (const auto& fold : result.epoch_foms) epoch_foms.push_back(config::numbers_to_json(fold));
    const Json folds = config::numbers_to_json(result.fold_foms);
    return {{"id", result.id},
            {"status", to_string(result.status)},
            {"fom", config::number_to_json(result.fom)},
            {"fom_std", config::number_to_json(result.fom_std)},
            {"fold_foms", folds},
            {"reason", result.reason},
            {"transient", result.transient},
            {"duration_s", result.duration_s},
            {"epoch_foms", epoch_foms},
            {"figures", result.figures}};
}

journal::TrialResult result_from_json(const Json& json) {
    journal::TrialResult result;
    result.id = json.at("id").get<std::int64_t>();
    result.status = status_from(json.at("status"));
    result.fom = config::number_from_json(json.at("fom"));
    result.fom_std = config::number_from_json(json.at("fom_std"));
    result.fold_foms = config::numbers_from_json(json.at("fold_foms"));
    for (const Json& fold : json.at("epoch_foms")) result.epoch_foms.push_back(config::numbers_from_json(fold));
    result.reason = json.at("reason").get<std::string>();
    result.transient = json.at("transient").get<bool>();
    result.duration_s = json.at("duration_s").get<double>();
    result.figures = json.at("figures");
    return result;
}

}  // namespace hpopt::cluster
