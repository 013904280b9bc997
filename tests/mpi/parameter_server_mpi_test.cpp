// Parameter-server training under mpirun (run with 6 ranks): either two independent teams of
// one master and two workers (ranks 0-2 and 3-5), or one team of all six ranks.
#include <mpi.h>

#include <filesystem>

#include <fmt/format.h>

#include "../support/blobs_workload.hpp"
#include "hpopt/train/fold_trainer.hpp"

#include "../support/doctest_with_torch.hpp"

using namespace hpopt;
namespace fs = std::filesystem;

namespace {

int world_rank() {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

// Ranks 0-2 and 3-5 as two teams of three; freed at the end of the test.
class HalfTeam {
public:
    HalfTeam() { MPI_Comm_split(MPI_COMM_WORLD, world_rank() / 3, world_rank(), &comm_); }
    ~HalfTeam() { MPI_Comm_free(&comm_); }
    MPI_Comm comm() const { return comm_; }
    int rank() const { return world_rank() % 3; }

private:
    MPI_Comm comm_ = MPI_COMM_NULL;
};

// A fold team's masters, workers and ranks per worker.
struct TeamShape {
    int masters, workers, ranks_per_worker;
};

train::TrainingSettings settings_for(train::Algorithm algorithm, TeamShape team) {
    train::TrainingSettings settings;
    settings.algorithm = algorithm;
    settings.layout = {1, 1, team.masters, team.workers, team.ranks_per_worker};
    settings.defaults.epochs = 4;
    settings.defaults.batch_size = 16;
    settings.defaults.lr = 0.05;
    settings.defaults.momentum = 0.5;
    // The problem is small: few exchanges per epoch. Exchange often, so that the top master's
    // central model (which is validated) follows within 4 epochs.
    settings.communication_period = 2;
    settings.sync_period = 1;
    return settings;
}

struct Run {
    train::FoldTraining trained;
    std::vector<std::int64_t> reported;
    std::vector<Json> details;
};

Run train_team(const train::TrainingSettings& settings, MPI_Comm team, const std::string& checkpoint_dir = "") {
    testing::BlobsWorkload workload;
    const auto data = workload.training_data();
    const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, 0.25, true, 3}, 0));
    Run run;
    workload::TrialContext context;
    context.seed = 5;
    context.team = team;
    context.checkpoint_dir = checkpoint_dir;
    context.report_epoch = [&](std::int64_t epoch, double, const Json& details) {
        run.reported.push_back(epoch);
        run.details.push_back(details);
    };
    run.trained = train::train_fold(workload, settings, Json::object(), fold, context);
    return run;
}

void check_learned(const Run& run) {
    REQUIRE(run.trained.epochs.size() == 4);
    CHECK(run.trained.epochs.back().validation_loss < 0.7 * run.trained.epochs.front().validation_loss);
    CHECK(run.trained.epochs.back().validation_error < 0.2);
}

const std::vector<train::Algorithm> parameter_servers = {train::Algorithm::downpour, train::Algorithm::easgd,
                                                         train::Algorithm::gem};

}  // namespace

TEST_CASE("each algorithm lowers the validation loss with one master and two workers; the master reports") {
    for (const auto algorithm : parameter_servers) {
        CAPTURE(static_cast<int>(algorithm));
        const HalfTeam half;
        const Run run = train_team(settings_for(algorithm, {1, 2, 1}), half.comm());
        check_learned(run);
        CHECK(run.reported == (half.rank() == 0 ? std::vector<std::int64_t>{1, 2, 3, 4} : std::vector<std::int64_t>{}));
        if (half.rank() == 0) {
            // Every update of the 4 epochs was counted: at least one per worker and epoch.
            const Json& staleness = run.details.back().at("staleness");
            CHECK(staleness.at("updates").get<std::int64_t>() >= 2 * 4);
            CHECK(run.details.back().at("training_loss").get<double>() > 0);
        }
        // Every rank returns the master's records.
        float fom = static_cast<float>(run.trained.fom), master_fom = fom;
        MPI_Bcast(&master_fom, 1, MPI_FLOAT, 0, half.comm());
        CHECK(fom == master_fom);
    }
}

TEST_CASE("a worker whose step throws, or a top master that cannot validate, takes the team out of the fold") {
    // In the first half's team only: world rank `failing` throws from its 4th training loss, or
    // from its first validation. The second half's team trains on undisturbed.
    class FailingRank : public testing::BlobsWorkload {
    public:
        FailingRank(int failing, bool validating) : failing_(failing), validating_(validating) {}
        torch::Tensor loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets, std::int64_t classes) override {
            const bool in_validation = !torch::GradMode::is_enabled();
            if (world_rank() == failing_ && in_validation == validating_ && (validating_ || ++calls_ == 4)) {
                throw std::runtime_error("out of memory");
            }
            return testing::BlobsWorkload::loss_sum(outputs, targets, classes);
        }

    private:
        int failing_;
        bool validating_;
        int calls_ = 0;
    };
    for (const auto algorithm : parameter_servers) {
        for (const auto& [failing, validating] : {std::pair{1, false}, std::pair{0, true}}) {
            CAPTURE(static_cast<int>(algorithm));
            CAPTURE(failing);
            const HalfTeam half;
            FailingRank workload(failing, validating);
            const auto data = workload.training_data();
            const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, 0.25, true, 3}, 0));
            workload::TrialContext context;
            context.seed = 5;
            context.team = half.comm();
            const train::TrainingSettings settings = settings_for(algorithm, {1, 2, 1});
            if (world_rank() < 3) {
                const std::string expected = fmt::format("rank {} of the fold team failed: out of memory", failing);
                CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, Json::object(), fold, context), expected.c_str(),
                                     std::runtime_error);
            } else {
                CHECK(train::train_fold(workload, settings, Json::object(), fold, context).epochs.size() == 4);
            }
        }
    }
}

TEST_CASE("synchronous Downpour waiting for every worker applies no stale update") {
    const HalfTeam half;
    train::TrainingSettings settings = settings_for(train::Algorithm::downpour, {1, 2, 1});
    settings.sync_fraction = 1.0;
    const Run run = train_team(settings, half.comm());
    check_learned(run);
    if (half.rank() == 0) {
        const Json& staleness = run.details.back().at("staleness");
        CHECK(staleness.at("largest") == 0);
        CHECK(staleness.at("updates").get<std::int64_t>() > 0);
    }
}

TEST_CASE("sub-masters: two masters and four workers; the top master serves the sub-master") {
    for (const auto algorithm : parameter_servers) {
        CAPTURE(static_cast<int>(algorithm));
        train::TrainingSettings settings = settings_for(algorithm, {2, 4, 1});
        settings.sync_period = 2;
        settings.elastic_alpha = 0.3;  // two elastic links in a row: a stronger force keeps the top close
        const Run run = train_team(settings, MPI_COMM_WORLD);
        check_learned(run);
        if (world_rank() == 0) {
            REQUIRE(run.details.size() == 4);
            // The workers' updates, counted by the sub-master, and the sub-master's exchanges:
            // one every sync_period updates, and one at each epoch's end.
            const std::int64_t worker_updates = run.details.back().at("staleness").at("updates");
            const std::int64_t sub_master_updates = run.details.back().at("sub_master_staleness").at("updates");
            CHECK(worker_updates >= 4 * 4);
            CHECK(sub_master_updates >= worker_updates / 2);
            CHECK(sub_master_updates <= worker_updates / 2 + 4);
        }
    }
}

TEST_CASE("workers of two ranks sum their gradients inside the worker and keep identical replicas") {
    for (const auto algorithm : parameter_servers) {
        CAPTURE(static_cast<int>(algorithm));
        // Masters 0 and 1; worker 0 is ranks 2-3, worker 1 ranks 4-5.
        const Run run = train_team(settings_for(algorithm, {2, 2, 2}), MPI_COMM_WORLD);
        check_learned(run);
        MPI_Comm worker;
        MPI_Comm_split(MPI_COMM_WORLD, world_rank() < 2 ? world_rank() : world_rank() / 2 + 2, world_rank(), &worker);
        torch::Tensor first = run.trained.parameters.clone();
        MPI_Bcast(first.data_ptr<float>(), static_cast<int>(first.numel()), MPI_FLOAT, 0, worker);
        CHECK(torch::equal(first, run.trained.parameters));
        MPI_Comm_free(&worker);
    }
}

TEST_CASE("a parameter-server fold continues from its checkpoints") {
    for (const auto algorithm : parameter_servers) {
        CAPTURE(static_cast<int>(algorithm));
        const HalfTeam half;
        const fs::path dir = fs::temp_directory_path() / ("hpopt-ps-checkpoints-" + std::to_string(world_rank() / 3));
        if (half.rank() == 0) fs::remove_all(dir);
        MPI_Barrier(half.comm());
        train::TrainingSettings settings = settings_for(algorithm, {1, 2, 1});
        settings.defaults.epochs = 2;
        const Run first = train_team(settings, half.comm(), dir.string());
        settings.defaults.epochs = 4;
        const Run continued = train_team(settings, half.comm(), dir.string());
        check_learned(continued);
        // The first two epochs come from the checkpoint (replayed to the journal, not retrained).
        CHECK(continued.trained.epochs[1].validation_loss == doctest::Approx(first.trained.epochs[1].validation_loss));
        if (half.rank() == 0) {
            CHECK(continued.reported == std::vector<std::int64_t>{1, 2, 3, 4});
            CHECK(continued.details[0].is_null());  // replayed
            // The counters went on from the checkpoint.
            CHECK(continued.details[3].at("staleness").at("updates") > first.details[1].at("staleness").at("updates"));
        }
        MPI_Barrier(half.comm());
        if (half.rank() == 0) fs::remove_all(dir);
    }
}

TEST_CASE("continuing synchronous Downpour from a checkpoint trains as if never stopped") {
    // Waiting for every worker makes the run deterministic but for the order of the sum.
    const HalfTeam half;
    const fs::path dir = fs::temp_directory_path() / ("hpopt-ps-sync-checkpoints-" + std::to_string(world_rank() / 3));
    if (half.rank() == 0) fs::remove_all(dir);
    MPI_Barrier(half.comm());
    train::TrainingSettings settings = settings_for(train::Algorithm::downpour, {1, 2, 1});
    settings.sync_fraction = 1.0;
    const Run straight = train_team(settings, half.comm());
    settings.defaults.epochs = 2;
    train_team(settings, half.comm(), dir.string());
    settings.defaults.epochs = 4;
    const Run continued = train_team(settings, half.comm(), dir.string());
    if (half.rank() == 0) {
        CHECK(torch::allclose(continued.trained.parameters, straight.trained.parameters, 1e-4, 1e-5));
        CHECK(continued.trained.fom == doctest::Approx(straight.trained.fom).epsilon(1e-4));
    }
    MPI_Barrier(half.comm());
    if (half.rank() == 0) fs::remove_all(dir);
}

TEST_CASE("a NaN loss at a worker stops the whole parameter-server team") {
    auto data = std::make_shared<data::Dataset>(*testing::blobs(120, 1));
    for (std::size_t i = 0; i < 8 * 30; ++i) data->features[i] = std::numeric_limits<float>::quiet_NaN();
    testing::BlobsWorkload workload(data);
    const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, 0.25, false, 3}, 0));
    for (const TeamShape shape : {TeamShape{2, 4, 1}, TeamShape{2, 2, 2}}) {
        workload::TrialContext context;
        context.team = MPI_COMM_WORLD;
        CHECK_THROWS_WITH_AS(train::train_fold(workload, settings_for(train::Algorithm::downpour, shape), Json::object(), fold, context),
                             world_rank() == 0 ? doctest::Contains("the training loss is nan") : doctest::Contains("the master stopped"),
                             workload::TrialFailure);
    }
}

TEST_CASE("an interruption or an early stop the top master hears of stops every rank of the team mid-epoch") {
    for (const auto algorithm : parameter_servers) {
        for (const bool interruption : {true, false}) {
            CAPTURE(static_cast<int>(algorithm));
            CAPTURE(interruption);
            testing::BlobsWorkload workload;
            const auto data = workload.training_data();
            const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, 0.25, true, 3}, 0));
            workload::TrialContext context;
            context.team = MPI_COMM_WORLD;
            std::int64_t epochs_done = 0;
            context.report_epoch = [&](std::int64_t epoch, double, const Json&) { epochs_done = epoch; };
            // Only the top master (the fold leader) is asked, as under hpopt.
            const auto heard = [&] { return world_rank() == 0 && epochs_done == 2; };
            (interruption ? context.interruption : context.early_stop) = heard;
            const auto train = [&] { train::train_fold(workload, settings_for(algorithm, {2, 4, 1}), Json::object(), fold, context); };
            const auto others = doctest::Contains("the master stopped");
            if (interruption) {
                CHECK_THROWS_WITH_AS(train(), world_rank() == 0 ? doctest::Contains("interrupted in epoch 3") : others,
                                     workload::TrialInterrupted);
            } else {
                CHECK_THROWS_WITH_AS(train(), world_rank() == 0 ? doctest::Contains("stopped early in epoch 3") : others,
                                     workload::TrialStopped);
            }
        }
    }
}

TEST_CASE("a team that does not match its layout fails the trial with the counts") {
    workload::TrialContext context;
    context.team = MPI_COMM_WORLD;
    testing::BlobsWorkload workload;
    const auto data = workload.training_data();
    const train::FoldData fold = train::fold_data(*data, data::split_fold(*data, {1, 0.25, true, 3}, 0));
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings_for(train::Algorithm::easgd, {1, 2, 1}), Json::object(), fold, context),
                         "the fold team has 6 ranks where its layout needs 3", workload::TrialFailure);
}

#include "../support/mpi_doctest_main.hpp"
