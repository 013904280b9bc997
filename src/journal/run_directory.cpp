#include "hpopt/journal/run_directory.hpp"

#include <fstream>
#include <stdexcept>

#include "hpopt/journal/journal.hpp"

namespace hpopt::journal {

RunDirectory prepare_run_directory(const std::filesystem::path& dir, bool force) {
    namespace fs = std::filesystem;
    const RunDirectory run{dir};
    if (fs::exists(dir) && !fs::is_directory(dir)) {
        throw RunDirectoryInUse("output dir " + dir.string() + " exists and is not a directory");
    }
    if (fs::exists(dir) && !fs::is_empty(dir)) {
        refuse_if_being_written(run.journal());
        if (!force) {
            throw RunDirectoryInUse("output dir " + dir.string() +
                                     " already exists and is not empty; choose another with --output, or pass "
                                     "--force to replace the earlier run's files");
        }
        for (const auto& file : {run.journal(), run.spec(), run.results_csv(), run.best_json(), run.pareto_json(), run.test_json(),
                                 run.timeline_json(), run.report_html()}) {
            fs::remove(file);
        }
        fs::remove_all(run.logs());
        fs::remove_all(run.checkpoints());  // another run's trials must not continue from them
    }
    fs::create_directories(dir);
    return run;
}

void write_atomically(const std::filesystem::path& path, const std::string& content) {
    const std::filesystem::path temporary = path.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
    }
    std::filesystem::rename(temporary, path);
}

}  // namespace hpopt::journal
