#pragma once
// The files of a run under its output dir.
#include <filesystem>
#include <stdexcept>

namespace hpopt::journal {

struct RunDirectory {
    std::filesystem::path dir;

    std::filesystem::path journal() const { return dir / "journal.jsonl"; }
    std::filesystem::path spec() const { return dir / "spec.json"; }
    std::filesystem::path results_csv() const { return dir / "results.csv"; }
    std::filesystem::path best_json() const { return dir / "best.json"; }
    std::filesystem::path pareto_json() const { return dir / "pareto.json"; }
    std::filesystem::path checkpoints() const { return dir / "checkpoints"; }
    std::filesystem::path test_json() const { return dir / "test.json"; }
    std::filesystem::path timeline_json() const { return dir / "timeline.json"; }
    std::filesystem::path report_html() const { return dir / "report.html"; }
    std::filesystem::path logs() const { return dir / "logs"; }
};

// The output dir holds something already, and the user did not ask to replace it.
class RunDirectoryInUse : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Makes `dir` ready for a new run. A dir that exists and is not empty is an error
// (RunDirectoryInUse) unless `force`, which removes the files of the earlier run (and only
// those).
RunDirectory prepare_run_directory(const std::filesystem::path& dir, bool force);

// Writes `content` to a temporary file beside `path` and renames it over `path`, so that a
// reader sees either the old file or the new one, never half of one.
void write_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace hpopt::journal
