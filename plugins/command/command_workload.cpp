#include "command_workload.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "child_process.hpp"
#include "hpopt/workload/devices.hpp"
#include "hpopt/workload/direct_plugin.hpp"
#include "hpopt/workload/team.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::command {
namespace {

namespace fs = std::filesystem;

struct Options {
    std::vector<std::string> command;
    std::string fom_name = "fom";
    std::string working_dir;
    std::map<std::string, std::string> environment;
    bool params_file = false;
    double grace_s = 10;
    workload::Devices devices;
};

// How often a running program's output, its trial's deadline and the search's requests are looked at.
constexpr std::chrono::milliseconds tick{200};
constexpr int stderr_lines_in_reason = 5;
constexpr int temporary_failure = 75;  // EX_TEMPFAIL

// A piece of an argument: literal text, or the name of a placeholder.
struct Piece {
    std::string text;
    bool placeholder = false;
};

// "--lr={lr}" -> "--lr=", {lr}; "{{" and "}}" stand for braces. Throws std::invalid_argument for
// an unclosed or empty placeholder.
std::vector<Piece> parse_argument(const std::string& argument) {
    std::vector<Piece> pieces(1);
    for (std::size_t i = 0; i < argument.size(); ++i) {
        const char c = argument[i];
        if ((c == '{' || c == '}') && i + 1 < argument.size() && argument[i + 1] == c) {
            pieces.back().text += c;
            ++i;
        } else if (c == '{') {
            const std::size_t close = argument.find('}', i);
            if (close == std::string::npos || close == i + 1) throw std::invalid_argument("an unclosed or empty {placeholder}");
            pieces.push_back({argument.substr(i + 1, close - i - 1), true});
            pieces.emplace_back();
            i = close;
        } else if (c == '}') {
            throw std::invalid_argument("a } without its {");
        } else {
            pieces.back().text += c;
        }
    }
    return pieces;
}

// A parameter as the program reads it: strings bare, numbers and booleans as JSON writes them.
std::string argument_text(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string substitute(const std::string& argument, const space::Params& params) {
    std::string result;
    for (const Piece& piece : parse_argument(argument)) result += piece.placeholder ? argument_text(params.at(piece.text)) : piece.text;
    return result;
}

std::vector<std::string> parameter_names(const space::Space& space) {
    std::vector<std::string> names;
    for (const auto& dimension : space.dimensions()) names.push_back(dimension.name);
    return names;
}

bool has_parameter(const space::Space& space, const std::string& name) {
    const std::vector<std::string> names = parameter_names(space);
    return std::find(names.begin(), names.end(), name) != names.end();
}

Options read_options(config::ObjectReader& reader, const space::Space* space) {
    Options options;
    reader.require("command");
    if (const Json* command = reader.any("command")) {
        if (!command->is_array() || command->empty() || !std::all_of(command->begin(), command->end(), [](const Json& a) { return a.is_string(); })) {
            reader.report("command", "expected a non-empty list of strings: the program and its arguments");
        } else {
            for (std::size_t i = 0; i < command->size(); ++i) {
                const std::string argument = (*command)[i].get<std::string>();
                options.command.push_back(argument);
                try {
                    for (const Piece& piece : parse_argument(argument)) {
                        if (piece.placeholder && space && !has_parameter(*space, piece.text)) {
                            reader.report("command", fmt::format("argument {} names {{{}}}, which is not a parameter of the space ({})", i,
                                                                 piece.text, fmt::join(parameter_names(*space), ", ")));
                        }
                    }
                } catch (const std::invalid_argument& error) {
                    reader.report("command", fmt::format("argument {}: {}", i, error.what()));
                }
            }
        }
    }
    options.fom_name = reader.string_or("fom_name", options.fom_name);
    options.working_dir = reader.string_or("working_dir", "");
    if (auto environment = reader.object("environment")) {
        for (const auto& [name, value] : reader.any("environment")->items()) {
            if (value.is_string()) {
                options.environment[name] = value.get<std::string>();
            } else {
                environment->report(name, "expected a string");
            }
            environment->any(name);
        }
        environment->finish();
    }
    options.params_file = reader.boolean_or("params_file", false);
    options.devices = workload::read_devices(reader, "devices");
    options.grace_s = reader.number_or("grace_s", options.grace_s);
    if (options.grace_s < 0) reader.report("grace_s", "expected seconds, 0 or more");
    return options;
}

// torchrun's variables for a rank of a team of several.
struct TeamPlace {
    int rank = 0, size = 1, local_rank = 0, local_size = 1;
    std::string master_address;
    int master_port = 0;
};

// torchrun's variables, for a team of several ranks.
void add_team_variables(const TeamPlace& place, std::map<std::string, std::string>& environment) {
    if (place.size == 1) return;
    environment["RANK"] = std::to_string(place.rank);
    environment["WORLD_SIZE"] = std::to_string(place.size);
    environment["LOCAL_RANK"] = std::to_string(place.local_rank);
    environment["LOCAL_WORLD_SIZE"] = std::to_string(place.local_size);
    environment["MASTER_ADDR"] = place.master_address;
    environment["MASTER_PORT"] = std::to_string(place.master_port);
}

// A TCP port free on this host now (the operating system's choice).
int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t length = sizeof address;
    const bool found = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                       getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    close(fd);
    if (!found) throw std::runtime_error("cannot find a free port");
    return ntohs(address.sin_port);
}

std::string host_name() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// Collective over `team`: where this rank stands, and the first rank's host and port.
TeamPlace place_in(MPI_Comm team) {
    TeamPlace place;
    if (team == MPI_COMM_NULL) return place;
    MPI_Comm_rank(team, &place.rank);
    MPI_Comm_size(team, &place.size);
    if (place.size == 1) return place;
    MPI_Comm node;
    MPI_Comm_split_type(team, MPI_COMM_TYPE_SHARED, place.rank, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &place.local_rank);
    MPI_Comm_size(node, &place.local_size);
    MPI_Comm_free(&node);
    char master[256] = {};
    int port = -1;  // none found: every rank fails alike, none waits for the others
    if (place.rank == 0) {
        std::snprintf(master, sizeof master, "%s", host_name().c_str());
        try {
            port = free_port();
        } catch (const std::runtime_error&) {
        }
    }
    MPI_Bcast(master, sizeof master, MPI_CHAR, 0, team);
    MPI_Bcast(&port, 1, MPI_INT, 0, team);
    if (port < 0) throw std::runtime_error("the team's first rank found no free port for torch.distributed");
    place.master_address = master;
    place.master_port = port;
    return place;
}

// What the program reported on stdout.
class ResultLines {
public:
    ResultLines(const workload::TrialContext& context, bool reports) : context_(context), reports_(reports) {}

    void take(const std::string& line) {
        if (line.empty() || line.front() != '{') return;
        const Json json = Json::parse(line, nullptr, false);
        if (json.is_discarded() || !json.is_object() || !json.contains("fom")) {
            if (line.find("\"fom\"") != std::string::npos) unreadable_ = line;  // NaN, say: not JSON
            return;
        }
        const Json& fom = json.at("fom");
        if (!fom.is_number()) {
            unreadable_ = line;
            return;
        }
        if (json.contains("epoch") && json.at("epoch").is_number_integer()) {
            last_epoch_fom_ = fom.get<double>();
            Json details = json;
            details.erase("epoch");
            details.erase("fom");
            if (reports_ && context_.report_epoch) context_.report_epoch(json.at("epoch").get<std::int64_t>(), *last_epoch_fom_, details.empty() ? Json(nullptr) : details);
        } else {
            fom_ = fom.get<double>();
            figures_ = json;
            figures_.erase("fom");
        }
    }

    // The last result line's other keys.
    const Json& figures() const { return figures_; }

    // The trial's FoM: the last {"fom": v}, else the last epoch's.
    double fom(const std::string& program) const {
        const std::optional<double> fom = fom_ ? fom_ : last_epoch_fom_;
        if (!fom) {
            if (unreadable_) throw workload::TrialFailure(fmt::format("{} printed a result that is not JSON with a number for its FoM: {}", program, *unreadable_));
            throw workload::TrialFailure(fmt::format("{} printed no result line ({{\"fom\": <number>}} on stdout)", program));
        }
        if (!std::isfinite(*fom)) throw workload::TrialFailure(fmt::format("{} reported a FoM that is not finite", program));
        return *fom;
    }

private:
    const workload::TrialContext& context_;
    bool reports_;  // the team's first rank reports epochs
    std::optional<double> fom_, last_epoch_fom_;
    Json figures_ = Json::object();
    std::optional<std::string> unreadable_;
};

class CommandWorkload : public workload::Workload {
public:
    explicit CommandWorkload(Options options) : options_(std::move(options)) {}

    std::string fom_name() const override { return options_.fom_name; }
    bool trains_as_team() const override { return true; }

    double evaluate(const space::Params& params, const workload::TrialContext& context) override {
        const TeamPlace place = place_in(context.team);
        ResultLines results(context, place.rank == 0);
        // Started together: a rank that cannot start its program (not found on its node, say)
        // fails the trial on every rank.
        std::optional<ChildProcess> process;
        workload::as_team(context.team, [&] { process.emplace(launch(params, context, place)); });
        bool finished = false;
        const auto take = [&](const std::string& line) { results.take(line); };
        const auto stop = [&](const auto& why) {
            process->stop(take);  // what it printed until then counts: an epoch it reported, say
            throw why;
        };
        const auto step = [&] {
            if (finished) return std::this_thread::sleep_for(tick);  // the others' programs still run
            if (const auto exit = process->watch(tick, take)) {
                if (!exit->ok()) fail(*exit, *process);
                finished = true;
                return;
            }
            if (context.interrupted()) stop(workload::TrialInterrupted("interrupted"));
            if (context.stopped_early()) stop(workload::TrialStopped("stopped early"));
            if (context.past_deadline()) stop(workload::TrialFailure("stopped at the trial's deadline"));
        };
        do {
            workload::as_team(context.team, step);
        } while (context.team == MPI_COMM_NULL ? !finished : workload::on_any_rank(context.team, !finished));
        if (place.rank != 0) return 0.0;
        if (!results.figures().empty() && context.report_figures) context.report_figures(results.figures());
        return results.fom(options_.command.front());
    }

private:
    Launch launch(const space::Params& params, const workload::TrialContext& context, const TeamPlace& place) const {
        Launch launch;
        for (const std::string& argument : options_.command) launch.arguments.push_back(substitute(argument, params));
        launch.working_dir = options_.working_dir;
        launch.grace = std::chrono::milliseconds(static_cast<std::int64_t>(options_.grace_s * 1000));
        launch.environment = options_.environment;
        auto& environment = launch.environment;
        environment["HPOPT_PARAMS"] = params.dump();
        environment["HPOPT_TRIAL_ID"] = std::to_string(context.trial_id);
        environment["HPOPT_SEED"] = std::to_string(context.seed);
        environment["HPOPT_FOLD"] = std::to_string(context.fold);
        environment["HPOPT_FOLDS"] = std::to_string(context.folds);
        environment["HPOPT_ATTEMPT"] = std::to_string(context.attempt);
        environment["HPOPT_RUN_DIR"] = context.run_dir.empty() ? fs::current_path().string() : fs::absolute(context.run_dir).string();
        if (const auto device = workload::device_for(options_.devices, workload::node_local_rank(), workload::visible_devices())) {
            environment["CUDA_VISIBLE_DEVICES"] = *device;
        }
        add_team_variables(place, environment);
        const fs::path logs = fs::path(environment["HPOPT_RUN_DIR"]) / "logs" / fmt::format("trial-{}", context.trial_id);
        fs::create_directories(logs);
        const std::string name = fmt::format("fold-{}{}", context.fold, place.size > 1 ? fmt::format("-rank-{}", place.rank) : "");
        launch.stdout_file = (logs / (name + ".stdout")).string();
        launch.stderr_file = (logs / (name + ".stderr")).string();
        if (!context.checkpoint_dir.empty()) {
            const fs::path checkpoints = fs::absolute(fs::path(context.checkpoint_dir) / fmt::format("fold-{}", context.fold));
            fs::create_directories(checkpoints);
            environment["HPOPT_CHECKPOINT_DIR"] = checkpoints.string();
        }
        if (options_.params_file) {
            const fs::path file = logs / (name + ".params.json");
            std::ofstream(file) << params.dump(2) << '\n';
            environment["HPOPT_PARAMS_FILE"] = fs::absolute(file).string();
        }
        return launch;
    }

    // A program that ended badly: a verdict on its parameters, or with EX_TEMPFAIL or a signal a
    // fault that may not happen again.
    [[noreturn]] void fail(const Exit& exit, const ChildProcess& process) const {
        std::string tail = process.stderr_tail(stderr_lines_in_reason);
        for (char& c : tail) {
            if (c == '\n') c = '|';
        }
        const std::string reason = fmt::format("{} ended with {}{}", options_.command.front(), exit.describe(),
                                               tail.empty() ? "" : "; its stderr ends: " + tail);
        if (exit.signal || exit.status == temporary_failure) throw std::runtime_error(reason);
        throw workload::TrialFailure(reason);
    }

    Options options_;
};

}  // namespace

workload::Plugin plugin() {
    return workload::direct_plugin("command", read_options, [](Options options) { return std::make_unique<CommandWorkload>(std::move(options)); });
}

}  // namespace hpopt::command
