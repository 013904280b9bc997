#pragma once
// The spec's "training" object: how the framework trains a model workload's models. Plain
// values, no torch: the spec module reads them. docs/spec.md lists every key.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hpopt/config/object_reader.hpp"
#include "hpopt/space/space.hpp"
#include "hpopt/spec/layout.hpp"
#include "hpopt/workload/devices.hpp"

namespace hpopt::train {

// allreduce: synchronous data parallelism, no masters. downpour, easgd, gem: a master holds the
// central model, the workers exchange with it asynchronously (Dean et al. 2012; Zhang,
// Choromanska and LeCun 2015; Hermans and Louppe 2018, arXiv 1805.08469).
enum class Algorithm { allreduce, downpour, easgd, gem };
// How the replicas of an all-reduce team stay together: one gradient all-reduce per step, or
// local steps with the models averaged every `period` steps (KAVG), optionally with block
// momentum on the averaged update (MAVG).
enum class Averaging { every_step, kavg, mavg };
enum class Fom { validation_loss, validation_error };  // error: 1 - accuracy

// The training hyper-parameters: the "training" object gives defaults, and a trial's parameter
// of the same name (a dimension of the space) overrides each.
struct TrainingParameters {
    std::int64_t epochs = 3;
    std::int64_t batch_size = 64;  // per rank: the all-reduced batch is batch_size x ranks
    // sgd, nesterov (sgd with Nesterov momentum), adam, adamw, adagrad, adadelta or rmsprop; "":
    // the workload's (sgd; rmsprop for a GAN)
    std::string optimizer;
    double lr = 0.01;
    double momentum = 0.0;          // sgd and rmsprop
    double weight_decay = 0.0;
};

// The learning rate after the warm-up, as a factor of the (scaled) rate: constant; cut by
// `factor` every `step_epochs` epochs; along half a cosine down to `min_fraction` at the last
// epoch (Loshchilov and Hutter's SGDR without restarts); or cut by `factor` once the
// validation FoM has not improved for `patience` epochs.
struct LrSchedule {
    enum class Kind { constant, step, cosine, plateau };
    Kind kind = Kind::constant;
    std::int64_t step_epochs = 10;
    double factor = 0.1;
    double min_fraction = 0;
    std::int64_t patience = 2;

    // step and cosine: the factor `progress` epochs into training (fractional: steps count),
    // of `epochs`, the first `warmup` epochs of which are the warm-up's. Plateau and constant: 1.
    double factor_at(double progress, double warmup, std::int64_t epochs) const;
};

// Plateau's state: the best validation FoM (lower is better) and the epochs since it.
struct Plateau {
    double best = std::numeric_limits<double>::infinity();
    std::int64_t epochs_since_best = 0;
    double factor = 1;

    void observe(double fom, const LrSchedule& schedule);
};

// An elastic team (allreduce): from `from_epoch` epochs done on, `workers` of the layout's
// workers (with their ranks_per_worker ranks each) take shares of each batch (with KAVG/MAVG,
// of the epoch's data, and their models are averaged); the others take none (the KAVG/MAVG
// seed's elastic learners, Cong et al.).
struct LearnerStage {
    std::int64_t from_epoch = 0;
    int workers = 1;
};

// How a team's ranks share a model (allreduce every step): each rank a replica of the whole
// model, or each worker's ranks the consecutive stages of one replica that micro-batches flow
// through (GPipe, Huang et al. 2019), the workers all-reducing each stage's gradients.
enum class Parallelism { data, pipeline };
// gpipe: every micro-batch's forward pass, then every backward pass; one_f_one_b: after as many
// forward passes as the stages after this one, one backward pass per forward pass (PipeDream's
// 1F1B, Narayanan et al. 2019), so that a stage holds fewer micro-batches' activations.
enum class PipelineSchedule { gpipe, one_f_one_b };

struct PipelineSettings {
    std::int64_t micro_batches = 4;  // per worker batch
    PipelineSchedule schedule = PipelineSchedule::gpipe;
    // The count of the model's layers in each stage, in order; empty: balanced by parameters.
    std::vector<std::int64_t> stage_layers;
};

struct TrainingSettings {
    Algorithm algorithm = Algorithm::allreduce;
    TrainingParameters defaults;
    // Goyal et al. 2017: with "linear", the learning rate is multiplied by the number of ranks,
    // reached gradually over `warmup_epochs` from the unscaled rate.
    bool linear_scaling = false;
    double warmup_epochs = 0;
    LrSchedule lr_schedule;  // allreduce
    std::vector<LearnerStage> learner_schedule;  // allreduce; empty: every worker all along
    Averaging averaging = Averaging::every_step;
    std::int64_t averaging_period = 8;  // local steps between averages (kavg, mavg)
    double block_momentum = 0.9;        // mavg
    double block_lr = 1.0;              // mavg
    Fom fom = Fom::validation_loss;
    double holdout = 0.2;    // the validation fraction with one fold
    bool stratified = true;  // folds keep the class proportions
    std::int64_t max_staleness = 0;  // downpour: reject updates staler than this (0: never)
    bool scale_by_staleness = false; // downpour: weigh an update by 1 / its staleness
    double elastic_alpha = 0.1;      // easgd: the elastic force
    std::int64_t communication_period = 4;  // easgd: local steps between exchanges (tau)
    // downpour: 0 for asynchronous; otherwise each step of the master waits for the gradients
    // of this fraction of its workers (at least one) and applies their mean.
    double sync_fraction = 0;
    double gem_kappa = 2.0;         // gem: how far the collective's energy may exceed the proxy's
    std::int64_t sync_period = 4;   // sub-masters: updates applied between exchanges with the top
    spec::Layout layout;            // the spec's, whose fold teams train
    bool checkpoints = true; // every epoch, so that a trial can continue where it stopped
    // allreduce: also inside an epoch, at the first step this long after the last checkpoint
    // (and at an interruption or the deadline), so that a long epoch is not trained twice.
    std::optional<double> checkpoint_every_s;
    int threads = 1;         // torch's intra-op threads per rank
    // The GPU each rank computes on, by its place on its node (a parameter server's masters keep
    // to the CPU); the CPU when there is none or libtorch has no CUDA.
    workload::Devices devices;
    // Where the ranks of a team (allreduce every step) or of a worker split each batch, a
    // model's SyncBatchNorm layers normalize with the statistics of the whole batch.
    bool sync_batch_norm = true;
    // allreduce every step: each bucket of about bucket_mb of gradients all-reduced as soon as
    // the backward pass has computed it, while it computes the rest (model workloads). Off by
    // default: on the machines measured it did not pay (BENCHMARKS.md).
    bool overlap_communication = false;
    double bucket_mb = 1;
    Parallelism parallelism = Parallelism::data;
    PipelineSettings pipeline;  // with Parallelism::pipeline: the layout's ranks_per_worker stages
    std::uint64_t split_seed = 0;  // the folds' seed: the spec's seed, the same for every trial

    // The workers that train the epoch after `epochs_done` epochs.
    int active_workers(std::int64_t epochs_done) const;
    // The factor of the rate `progress` epochs into training (fractional), for a team whose
    // workers have `ranks_per_worker` ranks: with linear scaling, the active ranks, reached over
    // warmup_epochs from 1 at the start and from the ranks before whenever the schedule adds
    // learners; 1 without.
    double learners_scale(double progress, int ranks_per_worker) const;
};

// Reads a "training" object (all but `layout`); the layout's fold teams must suit the algorithm,
// which is `default_algorithm` unless the object names one.
TrainingSettings read_training(config::ObjectReader& reader, const spec::Layout& layout, const space::Space* space,
                               Algorithm default_algorithm = Algorithm::allreduce);

// A trial's hyper-parameters: `defaults` overridden by the params of the same name. Throws
// std::invalid_argument for a value of the wrong type or out of range.
TrainingParameters resolve(const TrainingParameters& defaults, const space::Params& params);

std::string to_string(Fom fom);

}  // namespace hpopt::train
