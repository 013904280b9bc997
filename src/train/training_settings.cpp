#include "hpopt/train/training_settings.hpp"

#include <cmath>

#include <fmt/format.h>

namespace hpopt::train {
namespace {

const std::vector<std::string> optimizers = {"sgd", "nesterov", "adam", "adamw", "adagrad", "adadelta", "rmsprop"};

std::string optimizer_names() { return fmt::format("{}", fmt::join(optimizers, ", ")); }

bool known_optimizer(const std::string& name) {
    return std::find(optimizers.begin(), optimizers.end(), name) != optimizers.end();
}

void check(bool ok, const char* name, const char* expected) {
    if (!ok) throw std::invalid_argument(fmt::format("{} must be {}", name, expected));
}

void check_hyperparameters(const TrainingParameters& h) {
    check(h.epochs >= 1, "epochs", ">= 1");
    check(h.batch_size >= 1, "batch_size", ">= 1");
    check(h.optimizer.empty() || known_optimizer(h.optimizer), "optimizer", ("one of " + optimizer_names()).c_str());
    check(h.lr > 0, "lr", "> 0");
    check(h.momentum >= 0 && h.momentum < 1, "momentum", "in [0, 1)");
    check(h.weight_decay >= 0, "weight_decay", ">= 0");
    check(h.optimizer != "nesterov" || h.momentum > 0, "momentum", "> 0 for nesterov");
}

TrainingParameters read_defaults(config::ObjectReader& reader) {
    TrainingParameters h;
    h.epochs = reader.integer_or("epochs", h.epochs);
    h.batch_size = reader.integer_or("batch_size", h.batch_size);
    h.optimizer = reader.string_or("optimizer", h.optimizer);
    h.lr = reader.number_or("lr", h.lr);
    h.momentum = reader.number_or("momentum", h.momentum);
    h.weight_decay = reader.number_or("weight_decay", h.weight_decay);
    try {
        check_hyperparameters(h);
    } catch (const std::invalid_argument& error) {
        const std::string message = error.what();
        reader.report(message.substr(0, message.find(' ')), message.substr(message.find(' ') + 1));
    }
    return h;
}

// A searched "optimizer" dimension may only offer the optimizers there are.
void check_space(config::ObjectReader& reader, const space::Space* space) {
    if (!space) return;
    for (const auto& dimension : space->dimensions()) {
        const auto* choices = std::get_if<space::Choices>(&dimension.domain);
        if (dimension.name != "optimizer" || !choices) continue;
        for (const Json& value : choices->values) {
            if (!value.is_string() || !known_optimizer(value.get<std::string>())) {
                reader.report_here(fmt::format("the space's optimizer choice {} is none of {}", value.dump(), optimizer_names()));
            }
        }
    }
}

template <class Enum>
Enum read_enum(config::ObjectReader& reader, const std::string& key, Enum fallback,
               const std::vector<std::pair<std::string, Enum>>& names) {
    std::vector<std::string> known;
    for (const auto& entry : names) known.push_back(entry.first);
    const auto index = reader.choice(key, known);
    return index ? names[*index].second : fallback;
}

void check_layout(config::ObjectReader& reader, Algorithm algorithm, const spec::Layout& team) {
    if (algorithm == Algorithm::allreduce) {
        if (team.masters != 0) reader.report("algorithm", "all-reduce training has no masters: set layout.masters to 0");
        return;
    }
    if (team.masters < 1) reader.report("algorithm", "a parameter server needs a master: set layout.masters to 1 or more");
    if (team.masters > 1 && team.workers < team.masters - 1) {
        reader.report("algorithm", fmt::format("{} sub-masters need at least as many workers (layout.workers is {})",
                                               team.masters - 1, team.workers));
    }
}

void read_checkpoint_every(config::ObjectReader& reader, TrainingSettings& settings) {
    const auto every_s = reader.number("checkpoint_every_s");
    if (!every_s) return;
    if (!(*every_s > 0)) {
        reader.report("checkpoint_every_s", "must be > 0");
    } else if (settings.algorithm != Algorithm::allreduce) {
        reader.report("checkpoint_every_s", "applies to allreduce training only (a parameter server checkpoints at each epoch's end)");
    } else if (!settings.checkpoints) {
        reader.report("checkpoint_every_s", "needs \"checkpoints\": true");
    } else {
        settings.checkpoint_every_s = every_s;
    }
}

// "learner_schedule": [{"epoch": e, "workers": w}, ...], from epoch 0, epochs increasing,
// 1 <= w <= layout.workers.
std::vector<LearnerStage> read_learner_schedule(config::ObjectReader& root, const TrainingSettings& settings) {
    std::vector<LearnerStage> stages;
    for (auto& reader : root.objects("learner_schedule")) {
        reader.require("epoch");
        reader.require("workers");
        LearnerStage stage{reader.integer_or("epoch", 0), static_cast<int>(reader.integer_or("workers", 1))};
        if (stages.empty() && stage.from_epoch != 0) reader.report("epoch", "the first stage starts at epoch 0");
        if (!stages.empty() && stage.from_epoch <= stages.back().from_epoch) reader.report("epoch", "must be later than the stage before");
        if (stage.workers < 1 || stage.workers > settings.layout.workers) {
            reader.report("workers", fmt::format("must be in [1, {}] (layout.workers)", settings.layout.workers));
        }
        reader.finish();
        stages.push_back(stage);
    }
    if (!stages.empty() && settings.algorithm != Algorithm::allreduce) root.report("learner_schedule", "applies to allreduce only");
    return stages;
}

// "parallelism": "pipeline" with its keys: the worker's ranks are the stages; every-step
// all-reduce only, with a fixed number of workers.
void read_parallelism(config::ObjectReader& reader, TrainingSettings& settings) {
    settings.parallelism = read_enum(reader, "parallelism", Parallelism::data,
                                     {{"data", Parallelism::data}, {"pipeline", Parallelism::pipeline}});
    PipelineSettings& pipeline = settings.pipeline;
    pipeline.micro_batches = reader.integer_or("micro_batches", pipeline.micro_batches);
    if (pipeline.micro_batches < 1) reader.report("micro_batches", "must be >= 1");
    pipeline.schedule = read_enum(reader, "pipeline_schedule", pipeline.schedule,
                                  {{"gpipe", PipelineSchedule::gpipe}, {"1f1b", PipelineSchedule::one_f_one_b}});
    if (const Json* stages = reader.any("stages")) {
        for (const Json& layers : stages->is_array() ? *stages : Json::array({nullptr})) {
            if (!layers.is_number_integer() || layers.get<std::int64_t>() < 1) {
                reader.report("stages", "must be a list of layer counts >= 1, one per stage");
                break;
            }
            pipeline.stage_layers.push_back(layers.get<std::int64_t>());
        }
    }
    const int stages = settings.layout.ranks_per_worker;
    if (settings.parallelism == Parallelism::data) {
        for (const char* key : {"micro_batches", "pipeline_schedule", "stages"}) {
            if (reader.has(key)) reader.report(key, "applies to \"parallelism\": \"pipeline\" only");
        }
    } else if (settings.algorithm != Algorithm::allreduce || settings.averaging != Averaging::every_step) {
        reader.report("parallelism", "a pipeline trains by allreduce with averaging every_step");
    } else if (stages < 2) {
        reader.report("parallelism", "a pipeline's stages are a worker's ranks: set layout.ranks_per_worker to 2 or more");
    } else if (!settings.learner_schedule.empty()) {
        reader.report("learner_schedule", "does not apply to a pipeline");
    } else if (!pipeline.stage_layers.empty() && pipeline.stage_layers.size() != static_cast<std::size_t>(stages)) {
        reader.report("stages", fmt::format("lists {} stages for {} ranks per worker", pipeline.stage_layers.size(), stages));
    }
}

LrSchedule read_lr_schedule(config::ObjectReader& reader) {
    LrSchedule schedule;
    schedule.kind = read_enum(reader, "kind", LrSchedule::Kind::constant,
                              {{"constant", LrSchedule::Kind::constant}, {"step", LrSchedule::Kind::step},
                               {"cosine", LrSchedule::Kind::cosine}, {"plateau", LrSchedule::Kind::plateau}});
    schedule.step_epochs = reader.integer_or("step_epochs", schedule.step_epochs);
    if (schedule.step_epochs < 1) reader.report("step_epochs", "must be >= 1");
    schedule.factor = reader.number_or("factor", schedule.factor);
    if (!(schedule.factor > 0 && schedule.factor < 1)) reader.report("factor", "must be in (0, 1)");
    schedule.min_fraction = reader.number_or("min_fraction", schedule.min_fraction);
    if (!(schedule.min_fraction >= 0 && schedule.min_fraction < 1)) reader.report("min_fraction", "must be in [0, 1)");
    schedule.patience = reader.integer_or("patience", schedule.patience);
    if (schedule.patience < 1) reader.report("patience", "must be >= 1");
    reader.finish();
    return schedule;
}

}  // namespace

double LrSchedule::factor_at(double progress, double warmup, std::int64_t epochs) const {
    const double after = std::max(0.0, progress - warmup);
    switch (kind) {
        case Kind::step: return std::pow(factor, std::floor(after / static_cast<double>(step_epochs)));
        case Kind::cosine: {
            const double span = static_cast<double>(epochs) - warmup;
            const double t = span > 0 ? std::min(1.0, after / span) : 1.0;
            return min_fraction + (1 - min_fraction) * (1 + std::cos(M_PI * t)) / 2;
        }
        case Kind::constant:
        case Kind::plateau: return 1;
    }
    return 1;
}

namespace {

// A stage's workers, capped at the layout's (fewer when a run was resumed with fewer workers).
int workers_of(const LearnerStage& stage, const spec::Layout& layout) { return std::min(stage.workers, layout.workers); }

}  // namespace

int TrainingSettings::active_workers(std::int64_t epochs_done) const {
    int workers = layout.workers;
    for (const LearnerStage& stage : learner_schedule) {
        if (stage.from_epoch <= epochs_done) workers = workers_of(stage, layout);
    }
    return workers;
}

double TrainingSettings::learners_scale(double progress, int ranks_per_worker) const {
    if (!linear_scaling) return 1;
    const auto epochs_done = static_cast<std::int64_t>(std::floor(progress));
    double start = 0, before = 1;  // where the stage in force began, and the ranks before it
    for (std::size_t i = 0; i < learner_schedule.size() && learner_schedule[i].from_epoch <= epochs_done; ++i) {
        if (i > 0) before = workers_of(learner_schedule[i - 1], layout) * ranks_per_worker;
        start = static_cast<double>(learner_schedule[i].from_epoch);
    }
    const double ranks = active_workers(epochs_done) * ranks_per_worker;
    if (warmup_epochs > 0 && ranks > before && progress - start < warmup_epochs) {
        return before + (ranks - before) * (progress - start) / warmup_epochs;
    }
    return ranks;
}

void Plateau::observe(double fom, const LrSchedule& schedule) {
    if (schedule.kind != LrSchedule::Kind::plateau) return;
    if (fom < best) {
        best = fom;
        epochs_since_best = 0;
    } else if (++epochs_since_best >= schedule.patience) {
        factor *= schedule.factor;
        epochs_since_best = 0;
    }
}

TrainingSettings read_training(config::ObjectReader& reader, const spec::Layout& layout, const space::Space* space,
                               Algorithm default_algorithm) {
    TrainingSettings settings;
    settings.algorithm = read_enum(reader, "algorithm", default_algorithm,
                                   {{"allreduce", Algorithm::allreduce},
                                    {"downpour", Algorithm::downpour},
                                    {"easgd", Algorithm::easgd},
                                    {"gem", Algorithm::gem}});
    check_layout(reader, settings.algorithm, layout);
    settings.defaults = read_defaults(reader);
    const std::string scaling = reader.string_or("lr_scaling", "none");
    if (scaling != "none" && scaling != "linear") reader.report("lr_scaling", "must be \"none\" or \"linear\"");
    settings.linear_scaling = scaling == "linear";
    settings.warmup_epochs = reader.number_or("warmup_epochs", 0);
    if (settings.warmup_epochs < 0) reader.report("warmup_epochs", "must be >= 0");
    if (auto schedule = reader.object("lr_schedule")) settings.lr_schedule = read_lr_schedule(*schedule);
    if (settings.lr_schedule.kind != LrSchedule::Kind::constant && settings.algorithm != Algorithm::allreduce) {
        reader.report("lr_schedule", "applies to allreduce only");
    }
    settings.averaging = read_enum(reader, "averaging", Averaging::every_step,
                                   {{"every_step", Averaging::every_step}, {"kavg", Averaging::kavg}, {"mavg", Averaging::mavg}});
    settings.layout = layout;
    settings.learner_schedule = read_learner_schedule(reader, settings);
    settings.averaging_period = reader.integer_or("averaging_period", settings.averaging_period);
    if (settings.averaging_period < 1) reader.report("averaging_period", "must be >= 1");
    settings.block_momentum = reader.number_or("block_momentum", settings.block_momentum);
    if (settings.block_momentum < 0 || settings.block_momentum >= 1) reader.report("block_momentum", "must be in [0, 1)");
    settings.block_lr = reader.number_or("block_lr", settings.block_lr);
    if (settings.block_lr <= 0) reader.report("block_lr", "must be > 0");
    settings.fom = read_enum(reader, "fom", Fom::validation_loss,
                             {{"validation_loss", Fom::validation_loss}, {"validation_error", Fom::validation_error}});
    settings.holdout = reader.number_or("holdout", settings.holdout);
    if (settings.holdout <= 0 || settings.holdout >= 1) reader.report("holdout", "must be in (0, 1)");
    settings.stratified = reader.boolean_or("stratified", settings.stratified);
    settings.max_staleness = reader.integer_or("max_staleness", settings.max_staleness);
    if (settings.max_staleness < 0) reader.report("max_staleness", "must be >= 0 (0: no bound)");
    settings.scale_by_staleness = reader.boolean_or("scale_by_staleness", settings.scale_by_staleness);
    settings.elastic_alpha = reader.number_or("elastic_alpha", settings.elastic_alpha);
    if (settings.elastic_alpha <= 0 || settings.elastic_alpha >= 1) reader.report("elastic_alpha", "must be in (0, 1)");
    settings.communication_period = reader.integer_or("communication_period", settings.communication_period);
    if (settings.communication_period < 1) reader.report("communication_period", "must be >= 1");
    settings.sync_fraction = reader.number_or("sync_fraction", settings.sync_fraction);
    if (settings.sync_fraction < 0 || settings.sync_fraction > 1) reader.report("sync_fraction", "must be in [0, 1] (0: asynchronous)");
    if (settings.sync_fraction > 0 && settings.algorithm != Algorithm::downpour) {
        reader.report("sync_fraction", "applies to downpour only");
    }
    settings.gem_kappa = reader.number_or("gem_kappa", settings.gem_kappa);
    if (settings.gem_kappa <= 0) reader.report("gem_kappa", "must be > 0");
    settings.sync_period = reader.integer_or("sync_period", settings.sync_period);
    if (settings.sync_period < 1) reader.report("sync_period", "must be >= 1");
    settings.sync_batch_norm = reader.boolean_or("sync_batch_norm", settings.sync_batch_norm);
    settings.overlap_communication = reader.boolean_or("overlap_communication", settings.overlap_communication);
    settings.bucket_mb = reader.number_or("bucket_mb", settings.bucket_mb);
    if (!(settings.bucket_mb > 0)) reader.report("bucket_mb", "must be > 0");
    read_parallelism(reader, settings);
    settings.checkpoints = reader.boolean_or("checkpoints", settings.checkpoints);
    read_checkpoint_every(reader, settings);
    settings.threads = static_cast<int>(reader.integer_or("threads", settings.threads));
    if (settings.threads < 1 || settings.threads > 1024) reader.report("threads", "must be in [1, 1024]");
    settings.devices = workload::read_devices(reader, "devices");
    check_space(reader, space);
    reader.finish();
    return settings;
}

TrainingParameters resolve(const TrainingParameters& defaults, const space::Params& params) {
    TrainingParameters h = defaults;
    const auto take = [&](const char* name, auto& field) {
        const auto found = params.find(name);
        if (found == params.end()) return;
        try {
            field = found->template get<std::decay_t<decltype(field)>>();
        } catch (const Json::exception&) {
            throw std::invalid_argument(fmt::format("the parameter {} = {} has the wrong type", name, found->dump()));
        }
    };
    take("epochs", h.epochs);
    take("batch_size", h.batch_size);
    take("optimizer", h.optimizer);
    take("lr", h.lr);
    take("momentum", h.momentum);
    take("weight_decay", h.weight_decay);
    check_hyperparameters(h);
    return h;
}

std::string to_string(Fom fom) { return fom == Fom::validation_loss ? "validation loss" : "validation error (1 - accuracy)"; }

}  // namespace hpopt::train
