// Data-parallel training under mpirun (run with 3 ranks): every rank of MPI_COMM_WORLD is one
// replica of the same fold team.
#include <mpi.h>

#include <ctime>
#include <filesystem>
#include <functional>
#include <new>

#include <fmt/format.h>

#include "../support/blobs_workload.hpp"
#include "hpopt/train/fold_trainer.hpp"
#include "hpopt/train/trained_workload.hpp"
#include "hpopt/workload/team.hpp"

#include "../support/doctest_with_torch.hpp"

using namespace hpopt;

namespace {

train::TrainingSettings settings_for(train::Averaging averaging) {
    train::TrainingSettings settings;
    settings.defaults.epochs = 4;
    settings.defaults.batch_size = 16;
    settings.defaults.lr = 0.05;
    settings.defaults.momentum = 0.9;
    settings.averaging = averaging;
    settings.averaging_period = 4;
    return settings;
}

workload::TrialContext team_context(MPI_Comm team, const std::string& checkpoint_dir = "") {
    workload::TrialContext context;
    context.seed = 5;
    context.team = team;
    context.checkpoint_dir = checkpoint_dir;
    return context;
}

train::FoldData blob_fold(testing::BlobsWorkload& workload) {
    const auto data = workload.training_data();
    return train::fold_data(*data, data::split_fold(*data, {1, 0.25, true, 3}, 0));
}

// True on every rank when every rank holds the same bits as rank 0.
bool identical_on_every_rank(const torch::Tensor& parameters) {
    torch::Tensor first = parameters.clone();
    MPI_Bcast(first.data_ptr<float>(), static_cast<int>(first.numel()), MPI_FLOAT, 0, MPI_COMM_WORLD);
    int same = torch::equal(first, parameters) ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &same, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return same == 1;
}

// An empty directory of that name for the team's checkpoints, once every rank may use it.
std::string fresh_directory(const std::string& name) {
    const std::string dir = "/tmp/hpopt-train-mpi-test/" + name;
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) std::filesystem::remove_all(dir);
    MPI_Barrier(MPI_COMM_WORLD);
    return dir;
}

int world_size() {
    int size = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

}  // namespace

TEST_CASE("all-reduce training lowers the loss and keeps the replicas bit-identical") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const auto trained = train::train_fold(workload, settings_for(train::Averaging::every_step), Json{{"dropout", 0.1}},
                                           data, team_context(MPI_COMM_WORLD));
    CHECK(trained.epochs.back().validation_loss < 0.7 * trained.epochs.front().validation_loss);
    CHECK(identical_on_every_rank(trained.parameters));
}

TEST_CASE("the all-reduced gradient is the whole team batch's: as one rank with a batch as large") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const auto team = train::train_fold(workload, settings_for(train::Averaging::every_step), Json::object(), data,
                                        team_context(MPI_COMM_WORLD));
    train::TrainingSettings alone_settings = settings_for(train::Averaging::every_step);
    alone_settings.defaults.batch_size *= world_size();
    const auto alone = train::train_fold(workload, alone_settings, Json::object(), data, team_context(MPI_COMM_NULL));
    CHECK(torch::allclose(team.parameters, alone.parameters, 1e-4, 1e-5));
    CHECK(team.epochs.back().validation_loss == doctest::Approx(alone.epochs.back().validation_loss).epsilon(1e-4));
}

TEST_CASE("the linear scaling rule multiplies the rate by the ranks, reached gradually with warm-up") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    train::TrainingSettings scaled = settings_for(train::Averaging::every_step);
    scaled.linear_scaling = true;
    train::TrainingSettings by_hand = settings_for(train::Averaging::every_step);
    by_hand.defaults.lr *= world_size();
    const auto rule = train::train_fold(workload, scaled, Json::object(), data, team_context(MPI_COMM_WORLD));
    const auto hand = train::train_fold(workload, by_hand, Json::object(), data, team_context(MPI_COMM_WORLD));
    CHECK(torch::equal(rule.parameters, hand.parameters));
    scaled.warmup_epochs = 2;
    const auto warm = train::train_fold(workload, scaled, Json::object(), data, team_context(MPI_COMM_WORLD));
    const auto unscaled = train::train_fold(workload, settings_for(train::Averaging::every_step), Json::object(), data,
                                            team_context(MPI_COMM_WORLD));
    // The first epoch's rate climbs from the unscaled one to the scaled one: unlike either run.
    CHECK(warm.epochs[0].training_loss != rule.epochs[0].training_loss);
    CHECK(warm.epochs[0].training_loss != unscaled.epochs[0].training_loss);
}

TEST_CASE("KAVG and MAVG converge and end every epoch with identical replicas") {
    for (const auto averaging : {train::Averaging::kavg, train::Averaging::mavg}) {
        CAPTURE(static_cast<int>(averaging));
        testing::BlobsWorkload workload;
        const train::FoldData data = blob_fold(workload);
        train::TrainingSettings settings = settings_for(averaging);
        settings.defaults.momentum = 0;  // the momentum is the blocks' with MAVG
        settings.block_momentum = 0.5;
        const auto trained = train::train_fold(workload, settings, Json::object(), data, team_context(MPI_COMM_WORLD));
        CHECK(trained.epochs.back().validation_loss < 0.7 * trained.epochs.front().validation_loss);
        CHECK(trained.epochs.back().validation_error < 0.2);
        CHECK(identical_on_every_rank(trained.parameters));
    }
}

TEST_CASE("a team continues from its checkpoints as if never stopped") {
    for (const auto averaging : {train::Averaging::every_step, train::Averaging::mavg}) {
        CAPTURE(static_cast<int>(averaging));
        const std::string dir = fresh_directory(std::to_string(static_cast<int>(averaging)));
        testing::BlobsWorkload workload;
        const train::FoldData data = blob_fold(workload);
        train::TrainingSettings settings = settings_for(averaging);
        const auto straight = train::train_fold(workload, settings, Json::object(), data, team_context(MPI_COMM_WORLD));
        settings.defaults.epochs = 2;
        train::train_fold(workload, settings, Json::object(), data, team_context(MPI_COMM_WORLD, dir));
        settings.defaults.epochs = 4;
        const auto continued = train::train_fold(workload, settings, Json::object(), data, team_context(MPI_COMM_WORLD, dir));
        CHECK(continued.epochs[2].validation_loss == straight.epochs[2].validation_loss);
        CHECK(torch::equal(continued.parameters, straight.parameters));
    }
}

TEST_CASE("an interruption or an early stop the team's first rank hears of stops every rank at the same step") {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (const auto averaging : {train::Averaging::every_step, train::Averaging::kavg}) {
        for (const bool interruption : {true, false}) {
            CAPTURE(static_cast<int>(averaging));
            CAPTURE(interruption);
            testing::BlobsWorkload workload;
            const train::FoldData data = blob_fold(workload);
            workload::TrialContext context = team_context(MPI_COMM_WORLD);
            std::int64_t epochs_done = 0;
            context.report_epoch = [&](std::int64_t epoch, double, const Json&) { epochs_done = epoch; };
            const auto heard = [&] { return rank == 0 && epochs_done == 1; };  // only the fold leader is asked
            (interruption ? context.interruption : context.early_stop) = heard;
            const auto train = [&] { train::train_fold(workload, settings_for(averaging), Json::object(), data, context); };
            if (interruption) {
                CHECK_THROWS_WITH_AS(train(), "interrupted in epoch 2", workload::TrialInterrupted);
            } else {
                CHECK_THROWS_WITH_AS(train(), "stopped early in epoch 2", workload::TrialStopped);
            }
        }
    }
}

TEST_CASE("a team interrupted inside an epoch goes on from there, every rank as if never stopped") {
    for (const auto averaging : {train::Averaging::every_step, train::Averaging::kavg}) {
        CAPTURE(static_cast<int>(averaging));
        const std::string dir = fresh_directory("inside-" + std::to_string(static_cast<int>(averaging)));
        testing::BlobsWorkload workload;
        const train::FoldData data = blob_fold(workload);
        const train::TrainingSettings settings = settings_for(averaging);
        const Json params = {{"dropout", 0.1}};
        const auto straight = train::train_fold(workload, settings, params, data, team_context(MPI_COMM_WORLD));
        workload::TrialContext context = team_context(MPI_COMM_WORLD, dir);
        int requests = 0;  // on the first rank: once a step (every_step) or an average (kavg)
        context.interruption = [&] { return ++requests == 2; };
        CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, params, data, context), "interrupted in epoch 1",
                             workload::TrialInterrupted);
        const auto continued = train::train_fold(workload, settings, params, data, team_context(MPI_COMM_WORLD, dir));
        CHECK(continued.epochs[0].training_loss == straight.epochs[0].training_loss);
        CHECK(continued.epochs.back().validation_loss == straight.epochs.back().validation_loss);
        CHECK(torch::equal(continued.parameters, straight.parameters));
    }
}

// Throws from one rank's 4th training loss (a GPU out of memory, say), or from its first
// validation loss, or from its model's construction; the other ranks never fail.
class FailingOnRank : public testing::BlobsWorkload {
public:
    enum class When { building, training, validating };
    FailingOnRank(When when, int rank) : when_(when), rank_(rank) {}

    torch::nn::Sequential build_model(const space::Params& params) override {
        if (on_failing_rank() && when_ == When::building) throw std::runtime_error("cannot allocate the model");
        return testing::BlobsWorkload::build_model(params);
    }

    torch::Tensor loss_sum(const torch::Tensor& outputs, const torch::Tensor& targets, std::int64_t classes) override {
        const bool validating = !torch::GradMode::is_enabled();
        if (on_failing_rank() && ((when_ == When::training && !validating && ++calls_ == 4) || (when_ == When::validating && validating))) {
            throw std::runtime_error("out of memory");
        }
        return testing::BlobsWorkload::loss_sum(outputs, targets, classes);
    }

private:
    bool on_failing_rank() const {
        int rank = 0;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        return rank == rank_;
    }
    When when_;
    int rank_;
    int calls_ = 0;
};

TEST_CASE("a rank whose step throws takes its whole team out of the fold, at the same step, with its reason") {
    using When = FailingOnRank::When;
    for (const auto averaging : {train::Averaging::every_step, train::Averaging::kavg}) {
        for (const auto& [when, reason] : {std::pair{When::building, "cannot allocate the model"}, std::pair{When::training, "out of memory"},
                                          std::pair{When::validating, "out of memory"}}) {
            CAPTURE(static_cast<int>(averaging));
            CAPTURE(static_cast<int>(when));
            FailingOnRank workload(when, 1);
            const train::FoldData data = blob_fold(workload);
            const std::string expected = std::string("rank 1 of the fold team failed: ") + reason;
            train::TrainingSettings settings = settings_for(averaging);
            settings.overlap_communication = true;  // every step: the other ranks have started buckets the failing one must join
            settings.bucket_mb = 1e-4;
            // A fault, not a verdict: the trial may run again (budget.max_retries).
            CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, Json::object(), data, team_context(MPI_COMM_WORLD)),
                                 expected.c_str(), std::runtime_error);
        }
    }
}

TEST_CASE("gradients all-reduced in buckets during the backward pass step as the exchange after it does") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    train::TrainingSettings after = settings_for(train::Averaging::every_step);
    train::TrainingSettings overlapped = settings_for(train::Averaging::every_step);
    overlapped.overlap_communication = true;
    overlapped.bucket_mb = 1e-4;  // 25 floats: a bucket per parameter
    const Json params = {{"hidden", 2}};
    const auto blocking = train::train_fold(workload, after, params, data, team_context(MPI_COMM_WORLD));
    const auto bucketed = train::train_fold(workload, overlapped, params, data, team_context(MPI_COMM_WORLD));
    CHECK(torch::allclose(bucketed.parameters, blocking.parameters, 1e-5, 1e-6));
    CHECK(bucketed.epochs.back().validation_loss == doctest::Approx(blocking.epochs.back().validation_loss).epsilon(1e-5));
    CHECK(identical_on_every_rank(bucketed.parameters));
    // Ranks a learner schedule leaves out compute no gradient: they start every bucket with zeros.
    for (auto* settings : {&after, &overlapped}) {
        settings->layout.workers = world_size();
        settings->learner_schedule = {{0, 1}, {2, world_size()}};
    }
    const auto elastic_blocking = train::train_fold(workload, after, params, data, team_context(MPI_COMM_WORLD));
    const auto elastic_bucketed = train::train_fold(workload, overlapped, params, data, team_context(MPI_COMM_WORLD));
    CHECK(torch::allclose(elastic_bucketed.parameters, elastic_blocking.parameters, 1e-5, 1e-6));
    CHECK(identical_on_every_rank(elastic_bucketed.parameters));
}

TEST_CASE("ranks a learner schedule leaves out wait for the active one without spinning") {
    testing::BlobsWorkload workload(testing::blobs(6000, 7));
    const train::FoldData data = blob_fold(workload);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (const auto& [averaging, overlap] : {std::pair{train::Averaging::every_step, true}, std::pair{train::Averaging::every_step, false},
                                             std::pair{train::Averaging::kavg, true}}) {
        CAPTURE(static_cast<int>(averaging));
        CAPTURE(overlap);
        train::TrainingSettings settings = settings_for(averaging);
        settings.defaults.epochs = 2;
        settings.defaults.batch_size = 128;
        settings.overlap_communication = overlap;
        settings.layout.workers = world_size();
        settings.learner_schedule = {{0, 1}};  // rank 0 alone trains
        const std::clock_t start = std::clock();
        // Enough work for the active rank that the others' waiting shows.
        train::train_fold(workload, settings, Json{{"hidden", 3}, {"width", 256}}, data, team_context(MPI_COMM_WORLD));
        const double cpu_s = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
        std::vector<double> every(static_cast<std::size_t>(world_size()));
        MPI_Allgather(&cpu_s, 1, MPI_DOUBLE, every.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
        for (std::size_t r = 1; r < every.size(); ++r) {
            CAPTURE(r);
            CHECK(every[r] < 0.5 * every[0]);
        }
    }
}

namespace {

train::TrainingSettings pipeline_settings(int stages, train::PipelineSchedule schedule) {
    train::TrainingSettings settings = settings_for(train::Averaging::every_step);
    settings.parallelism = train::Parallelism::pipeline;
    settings.pipeline.micro_batches = 4;
    settings.pipeline.schedule = schedule;
    settings.layout.ranks_per_worker = stages;
    return settings;
}

// The world's first `ranks` ranks as a team; null on the others.
MPI_Comm first_ranks(int ranks) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm team = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, rank < ranks ? 0 : MPI_UNDEFINED, rank, &team);
    return team;
}

// Every rank's `mine` one after the other, in the ranks' order.
torch::Tensor concatenated(const torch::Tensor& mine, MPI_Comm team) {
    int size = 0;
    MPI_Comm_size(team, &size);
    std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size), 0);
    const int count = static_cast<int>(mine.numel());
    MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, team);
    for (std::size_t r = 1; r < counts.size(); ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
    torch::Tensor all = torch::empty({offsets.back() + counts.back()});
    MPI_Allgatherv(mine.data_ptr<float>(), count, MPI_FLOAT, all.data_ptr<float>(), counts.data(), offsets.data(), MPI_FLOAT, team);
    return all;
}

const Json deeper = {{"hidden", 2}};  // four layers with parameters: up to four stages

}  // namespace

TEST_CASE("a pipeline over 2 and 3 ranks trains as one rank does, each rank holding only its stage's parameters") {
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const auto alone = train::train_fold(workload, settings_for(train::Averaging::every_step), deeper, data, team_context(MPI_COMM_NULL));
    for (const int stages : {2, 3}) {
        for (const auto schedule : {train::PipelineSchedule::gpipe, train::PipelineSchedule::one_f_one_b}) {
            CAPTURE(stages);
            CAPTURE(static_cast<int>(schedule));
            MPI_Comm team = first_ranks(stages);
            if (team == MPI_COMM_NULL) continue;
            const auto piped = train::train_fold(workload, pipeline_settings(stages, schedule), deeper, data, team_context(team));
            REQUIRE(piped.epochs.size() == alone.epochs.size());
            for (std::size_t e = 0; e < alone.epochs.size(); ++e) {
                CHECK(piped.epochs[e].training_loss == doctest::Approx(alone.epochs[e].training_loss).epsilon(1e-5));
                CHECK(piped.epochs[e].validation_loss == doctest::Approx(alone.epochs[e].validation_loss).epsilon(1e-5));
                CHECK(piped.epochs[e].validation_error == doctest::Approx(alone.epochs[e].validation_error));
            }
            CHECK(piped.parameter_count == alone.parameter_count);
            CHECK(piped.parameters.numel() < alone.parameters.numel() * 2 / stages + 1);
            CHECK(torch::allclose(concatenated(piped.parameters, team), alone.parameters, 1e-4, 1e-5));
            MPI_Comm_free(&team);
        }
    }
}

TEST_CASE("a pipeline interrupted inside an epoch goes on from its stages' checkpoints as if never stopped") {
    const std::string dir = fresh_directory("pipeline");
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    const train::TrainingSettings settings = pipeline_settings(3, train::PipelineSchedule::one_f_one_b);
    const auto straight = train::train_fold(workload, settings, deeper, data, team_context(MPI_COMM_WORLD));
    workload::TrialContext context = team_context(MPI_COMM_WORLD, dir);
    int requests = 0;
    context.interruption = [&] { return ++requests == 5; };
    CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, deeper, data, context), "interrupted in epoch 1", workload::TrialInterrupted);
    const auto continued = train::train_fold(workload, settings, deeper, data, team_context(MPI_COMM_WORLD, dir));
    CHECK(continued.epochs[0].training_loss == straight.epochs[0].training_loss);
    CHECK(continued.epochs.back().validation_loss == straight.epochs.back().validation_loss);
    CHECK(torch::equal(continued.parameters, straight.parameters));
}

TEST_CASE("a pipeline stage that throws takes every stage out of the fold with its reason, none left waiting") {
    using When = FailingOnRank::When;
    // Rank 2, the last stage, computes the loss; rank 1, a middle one, builds a model.
    for (const auto& [when, rank, reason] : {std::tuple{When::building, 1, "cannot allocate the model"},
                                             std::tuple{When::training, 2, "out of memory"},
                                             std::tuple{When::validating, 2, "out of memory"}}) {
        CAPTURE(static_cast<int>(when));
        FailingOnRank workload(when, rank);
        const train::FoldData data = blob_fold(workload);
        const std::string expected = fmt::format("rank {} of the fold team failed: {}", rank, reason);
        CHECK_THROWS_WITH_AS(train::train_fold(workload, pipeline_settings(3, train::PipelineSchedule::gpipe), deeper, data,
                                               team_context(MPI_COMM_WORLD)),
                             expected.c_str(), std::runtime_error);
    }
    // A model with fewer layers with parameters than stages: a verdict on the trial, on every rank.
    testing::BlobsWorkload shallow;
    const train::FoldData data = blob_fold(shallow);
    CHECK_THROWS_WITH_AS(train::train_fold(shallow, pipeline_settings(3, train::PipelineSchedule::gpipe), Json::object(), data,
                                           team_context(MPI_COMM_WORLD)),
                         "rank 0 of the fold team failed: the model has 2 layer(s) with parameters: too few for 3 pipeline stages",
                         workload::TrialFailure);
}

TEST_CASE("a fold a team of 2 checkpointed inside an epoch goes on with a team of 3 from the same sample") {
    const std::string dir = fresh_directory("resized");
    testing::BlobsWorkload workload;
    const train::FoldData data = blob_fold(workload);
    train::TrainingSettings settings = settings_for(train::Averaging::every_step);
    settings.layout.workers = 2;
    double first_epochs[2] = {0, 0};  // the pair's training losses, which the checkpoint keeps
    if (MPI_Comm pair = first_ranks(2); pair != MPI_COMM_NULL) {
        const auto straight = train::train_fold(workload, settings, Json::object(), data, team_context(pair));
        workload::TrialContext context = team_context(pair, dir);
        std::int64_t epochs_done = 0, requests = 0;
        context.report_epoch = [&](std::int64_t epoch, double, const Json&) { epochs_done = epoch; };
        context.interruption = [&] { return epochs_done == 2 && ++requests == 5; };
        CHECK_THROWS_WITH_AS(train::train_fold(workload, settings, Json::object(), data, context), "interrupted in epoch 3",
                             workload::TrialInterrupted);
        first_epochs[0] = straight.epochs[0].training_loss;
        first_epochs[1] = straight.epochs[1].training_loss;
        MPI_Comm_free(&pair);
    }
    MPI_Bcast(first_epochs, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    settings.layout.workers = world_size();
    const auto continued = train::train_fold(workload, settings, Json::object(), data, team_context(MPI_COMM_WORLD, dir));
    REQUIRE(continued.epochs.size() == 4);
    CHECK(continued.epochs[0].training_loss == first_epochs[0]);
    CHECK(continued.epochs[1].training_loss == first_epochs[1]);
    CHECK(continued.epochs.back().validation_loss < continued.epochs.front().validation_loss);
    CHECK(identical_on_every_rank(continued.parameters));
}

TEST_CASE("data that one rank cannot read fails the trial on every rank of the team") {
    // Rank 1's data is missing, as on a node without the file.
    class MissingOnRankOne : public testing::BlobsWorkload {
    public:
        std::shared_ptr<const data::Dataset> training_data() override {
            int rank = 0;
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            if (rank == 1) throw data::DataError("no such file: /data/on/rank/1");
            return testing::BlobsWorkload::training_data();
        }
    };
    const auto workload = train::trained_workload(std::make_unique<MissingOnRankOne>(), settings_for(train::Averaging::every_step));
    // A fault (it may not happen again), the same on every rank.
    CHECK_THROWS_WITH_AS(workload->evaluate(Json::object(), team_context(MPI_COMM_WORLD)),
                         "rank 1 of the fold team failed: no such file: /data/on/rank/1", std::runtime_error);
}

TEST_CASE("a direct workload's own step, run as a team, throws on every rank what one rank threw") {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    const auto on_rank = [&](int thrower, const std::function<void()>& failure) {
        return [=] {
            if (rank == thrower) failure();
        };
    };
    CHECK_NOTHROW(workload::as_team(MPI_COMM_WORLD, [] {}));
    CHECK_THROWS_WITH_AS(workload::as_team(MPI_COMM_WORLD, on_rank(2, [] { throw workload::TrialFailure("diverged"); })),
                         "rank 2 of the fold team failed: diverged", workload::TrialFailure);
    CHECK_THROWS_WITH_AS(workload::as_team(MPI_COMM_WORLD, on_rank(1, [] { throw std::bad_alloc(); })),
                         "rank 1 of the fold team failed: std::bad_alloc", std::runtime_error);
    CHECK_THROWS_WITH_AS(workload::as_team(MPI_COMM_WORLD, on_rank(0, [] { throw workload::TrialInterrupted("interrupted"); })),
                         "interrupted", workload::TrialInterrupted);
    // Several ranks: the first one's reason.
    CHECK_THROWS_WITH_AS(workload::as_team(MPI_COMM_WORLD, [&] { throw std::runtime_error(fmt::format("out of memory on {}", rank)); }),
                         "rank 0 of the fold team failed: out of memory on 0", std::runtime_error);
    // The team is still in step: a collective after the failures adds up.
    int ranks = 1;
    MPI_Allreduce(MPI_IN_PLACE, &ranks, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    CHECK(ranks == 3);
}

#include "../support/mpi_doctest_main.hpp"
