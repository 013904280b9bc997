// libFuzzer target: any text as the journal of a run to resume, read and replayed as `hpopt
// resume` does (into a bayes search over a fixed spec). Every input either replays or is
// refused with journal::JournalError; anything else escapes and counts as a crash, as do the
// sanitizers' reports.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "analytic_plugin.hpp"
#include "hpopt/cluster/coordinator.hpp"
#include "hpopt/journal/journal_reader.hpp"
#include "hpopt/journal/run_directory.hpp"

using namespace hpopt;

namespace {

const spec::Spec& resumed_spec() {
    static const spec::Spec spec = [] {
        workload::Registry plugins;
        plugins.add(analytic::plugin());
        return spec::parse(Json::parse(R"({
            "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15},
                      "kind": {"type": "categorical", "choices": ["a", "b"]}},
            "optimizer": {"kind": "bayes", "initial_points": 2},
            "budget": {"trials": 20, "max_retries": 1},
            "workload": {"plugin": "analytic", "function": "branin"}})"),
                           plugins, "fuzz");
    }();
    return spec;
}

// Never runs a trial: the replay only asks, tells and accounts.
class IdleExecutor : public cluster::Executor {
public:
    int groups() const override { return 2; }
    void start(int, const journal::Trial&) override {}
    std::optional<cluster::Finished> wait(double) override { return std::nullopt; }
    void shutdown() override {}
    void interrupt() override {}
    void stop_early(int, std::int64_t) override {}
};

// Where the replay writes its journal and results files, removed when the process ends.
struct ScratchRun {
    journal::RunDirectory run = journal::prepare_run_directory(
        std::filesystem::temp_directory_path() / ("hpopt-journal-fuzzer-" + std::to_string(::getpid())), true);
    ~ScratchRun() { std::filesystem::remove_all(run.dir); }
};

const journal::RunDirectory& run_directory() {
    static const ScratchRun scratch;
    return scratch.run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const spec::Spec& spec = resumed_spec();
    try {
        const journal::JournalContents contents = journal::parse_journal(text, "fuzz");
        const auto optimizer = optim::make_optimizer(spec.optimizer, spec.space, spec.seed);
        IdleExecutor executor;
        std::filesystem::remove(run_directory().journal());
        journal::Journal journal(run_directory().journal());
        journal::ResultsFiles results(run_directory(), spec.space);
        cluster::Coordinator coordinator(spec, *optimizer, executor, journal, results, "branin");
        coordinator.resume(contents.records, contents.torn);
    } catch (const journal::JournalError&) {
    }
    return 0;
}
