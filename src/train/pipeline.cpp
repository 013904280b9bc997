#include "train/pipeline.hpp"

#include <chrono>
#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "hpopt/train/pipeline_plan.hpp"
#include "hpopt/workload/workload.hpp"
#include "train/training_steps.hpp"

namespace hpopt::train {

PipelinePlace::PipelinePlace(const Team& team, int stages)
    : pipeline(team.split(team.rank() / stages)), stage(team.split(team.rank() % stages)) {}

namespace {

using namespace std::chrono_literals;

constexpr int activation_tag = 1, gradient_tag = 2;
constexpr std::int64_t evaluation_batch = 256;  // samples per message when validating
// A stage waits for its neighbour's message sleeping between tests of up to this long: a
// micro-batch's pass takes milliseconds.
constexpr std::chrono::microseconds longest_pause = 100us;

// [rows, shape...]
std::vector<std::int64_t> sizes_of(std::int64_t rows, const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> sizes = {rows};
    sizes.insert(sizes.end(), shape.begin(), shape.end());
    return sizes;
}

// The messages a stage gets from one neighbour in a step (activations from the stage before, or
// gradients from the stage after), in order. The next one's receive is always posted: a large
// message moves through shared memory in fragments that both sides copy, so a send completes
// only while its receive is posted and both sides are in MPI. With it posted, a stage that waits
// for its own send to complete (see send()) never waits for a neighbour that waits for it.
class Inbox {
public:
    Inbox(const Team& pipeline, int source, int tag, std::vector<std::int64_t> shape)
        : pipeline_(pipeline), source_(source), tag_(tag), shape_(std::move(shape)) {}

    // The rows of each message to come, the first of which is then posted.
    void expect(std::vector<std::int64_t> rows) {
        rows_ = std::move(rows);
        next_ = 0;
        post();
    }

    // The next message, once it has come.
    torch::Tensor take() {
        Team::wait(request_, longest_pause);
        torch::Tensor message = std::move(buffer_);
        post();
        return message;
    }

private:
    void post() {
        if (next_ >= rows_.size()) return;
        buffer_ = torch::empty(sizes_of(rows_[next_++], shape_));
        request_ = pipeline_.start_receive(buffer_.data_ptr<float>(), buffer_.numel(), source_, tag_);
    }

    const Team& pipeline_;
    int source_, tag_;
    std::vector<std::int64_t> shape_;  // of one sample
    std::vector<std::int64_t> rows_;
    std::size_t next_ = 0;
    torch::Tensor buffer_;
    MPI_Request request_ = MPI_REQUEST_NULL;
};

// A stage's share of a step: its input and its output (on the last stage, the loss to
// differentiate), kept from the micro-batch's forward pass to its backward pass.
struct MicroBatch {
    torch::Tensor input, output;
};

class PipelineLearner : public Learner {
public:
    PipelineLearner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper, const FoldData& data,
                    std::uint64_t seed, const TrainingSettings& settings, const Team& team, torch::Device device)
        : Learner(data, "sgd", device),
          workload_(workload),
          place_(team, settings.layout.ranks_per_worker),
          plan_(settings.pipeline) {
        if (place_.pipeline.size() != settings.layout.ranks_per_worker) {
            throw workload::TrialFailure(fmt::format("a pipeline of {} stages needs as many ranks per worker; the fold's team has {}",
                                                     settings.layout.ranks_per_worker, team.size()));
        }
        take_stage(build_model(workload, params, seed));
        set_phases({{stage_->parameters(), hyper.lr}});
        if (!first()) activations_.emplace(place_.pipeline, stage() - 1, activation_tag, input_shape_);
        if (!last()) gradients_.emplace(place_.pipeline, stage() + 1, gradient_tag, output_shape_);
    }

    torch::nn::Module& module() override { return *stage_; }
    const PipelinePlace* pipeline() const override { return &place_; }
    std::int64_t parameter_count() override { return whole_parameter_count_; }

    // The step's passes in the schedule's order over min(micro_batches, samples) micro-batches.
    // Every pass sends what the next stage waits for even after a failure (zeros then), so that
    // no stage is left waiting; the failure is thrown at the end.
    float backward(std::size_t, const torch::Tensor& indices, std::int64_t divisor) override {
        const std::int64_t samples = indices.numel(), pieces = std::min(plan_.micro_batches, samples);
        loss_sum_ = 0;
        micro_batches_.assign(static_cast<std::size_t>(pieces), {});
        std::vector<std::int64_t> rows;
        for (std::int64_t piece = 0; piece < pieces; ++piece) {
            const auto [from, to] = share(samples, static_cast<int>(piece), static_cast<int>(pieces));
            rows.push_back(to - from);
        }
        if (activations_) activations_->expect(rows);
        if (gradients_) gradients_->expect(rows);
        for (const Pass& pass : pass_order(plan_.schedule, stage(), stages(), pieces)) {
            const auto [from, to] = share(samples, static_cast<int>(pass.micro_batch), static_cast<int>(pieces));
            MicroBatch& micro_batch = micro_batches_[static_cast<std::size_t>(pass.micro_batch)];
            if (pass.direction == Pass::Direction::forward) {
                forward_pass(micro_batch, indices.slice(0, from, to), divisor);
            } else {
                backward_pass(micro_batch, to - from);
            }
        }
        finish_step();
        return loss_sum_;
    }

    // The last stage's sums (the others' are zeros): validation batches flow through the stages.
    std::vector<double> validation_sums(std::int64_t from, std::int64_t to) override {
        torch::NoGradGuard no_grad;
        stage_->eval();
        double loss = 0, errors = 0;
        if (activations_) {
            std::vector<std::int64_t> rows;
            for (std::int64_t begin = from; begin < to; begin += evaluation_batch) rows.push_back(std::min(to - begin, evaluation_batch));
            activations_->expect(rows);
        }
        for (std::int64_t begin = from; begin < to; begin += evaluation_batch) {
            const std::int64_t end = std::min(to, begin + evaluation_batch);
            const torch::Tensor input = on_device(first() ? data().validation_inputs.slice(0, begin, end) : activations_->take());
            torch::Tensor output;
            compute([&] {
                output = stage_->forward(input);
                if (!last()) return;
                const torch::Tensor targets = on_device(data().validation_targets.slice(0, begin, end));
                loss += workload_.loss_sum(output, targets, data().classes).item<double>();
                if (data().classes > 0) errors += output.argmax(1).ne(targets).sum().item<double>();
            });
            if (!last()) send(output, end - begin, output_shape_, stage() + 1, activation_tag);
        }
        stage_->train();
        finish_step();
        return {loss, errors};
    }

    std::pair<double, double> validation_figures(const std::vector<double>& sums) const override {
        const double n = static_cast<double>(data().validation_inputs.size(0));
        return {sums[0] / n, data().classes > 0 ? sums[1] / n : 0.0};
    }

private:
    int stage() const { return place_.pipeline.rank(); }
    int stages() const { return place_.pipeline.size(); }
    bool first() const { return stage() == 0; }
    bool last() const { return stage() + 1 == stages(); }

    // Keeps this stage's layers of the whole model, split as the plan says, and the shapes of a
    // sample at its two ends (from one sample passed through the whole model).
    void take_stage(torch::nn::Sequential whole) {
        std::vector<std::int64_t> layer_parameters;
        for (const auto& layer : whole->children()) {
            std::int64_t count = 0;
            for (const torch::Tensor& p : layer->parameters()) count += p.numel();
            layer_parameters.push_back(count);
            whole_parameter_count_ += count;
        }
        std::vector<std::int64_t> layers = plan_.stage_layers;
        try {
            if (layers.empty()) layers = balanced_stages(layer_parameters, stages());
            check_stages(layers, layer_parameters);
        } catch (const std::invalid_argument& error) {
            throw workload::TrialFailure(error.what());
        }
        std::int64_t begin = 0;
        for (int s = 0; s < stage(); ++s) begin += layers[static_cast<std::size_t>(s)];
        const std::int64_t end = begin + layers[static_cast<std::size_t>(stage())];
        torch::NoGradGuard no_grad;
        whole->eval();
        torch::Tensor sample = data().training_inputs.slice(0, 0, 1);
        std::int64_t index = 0;
        for (auto& layer : *whole) {
            if (index == begin) input_shape_ = sample.sizes().slice(1).vec();
            if (index >= begin && index < end) stage_->push_back(std::to_string(index), layer);
            sample = layer.forward(sample);
            if (++index == end) output_shape_ = sample.sizes().slice(1).vec();
        }
        if (sample.scalar_type() != torch::kFloat) throw workload::TrialFailure("a pipeline's activations must be float32");
        stage_->train();
    }

    void forward_pass(MicroBatch& micro_batch, const torch::Tensor& indices, std::int64_t divisor) {
        const std::int64_t rows = indices.numel();
        micro_batch.input = first() ? on_device(data().training_inputs.index_select(0, indices))
                                    : on_device(activations_->take()).requires_grad_();
        compute([&] {
            const torch::Tensor output = stage_->forward(micro_batch.input);
            if (!last()) {
                micro_batch.output = output;
                return;
            }
            const torch::Tensor loss =
                workload_.loss_sum(output, on_device(data().training_targets.index_select(0, indices)), data().classes);
            loss_sum_ += loss.item<float>();
            micro_batch.output = loss / static_cast<double>(divisor);
        });
        if (!last()) send(micro_batch.output, rows, output_shape_, stage() + 1, activation_tag);
    }

    void backward_pass(MicroBatch& micro_batch, std::int64_t rows) {
        const torch::Tensor gradient = last() ? torch::Tensor() : on_device(gradients_->take());
        compute([&] { last() ? micro_batch.output.backward() : micro_batch.output.backward(gradient); });
        if (!first()) send(micro_batch.input.grad(), rows, input_shape_, stage() - 1, gradient_tag);
        micro_batch = {};
    }

    // `values` to a neighbour, or zeros of the shape it waits for when this stage has failed or
    // computed something of another shape (a failure too). Complete before the stage computes on:
    // the neighbour's receive is posted (see Inbox), and the message moves while both wait.
    void send(const torch::Tensor& values, std::int64_t rows, const std::vector<std::int64_t>& shape, int destination, int tag) {
        const std::vector<std::int64_t> expected = sizes_of(rows, shape);
        if (!failure_ && (!values.defined() || !values.sizes().equals(expected))) {
            failure_ = std::make_exception_ptr(workload::TrialFailure(
                fmt::format("pipeline stage {} computed a tensor of shape {}, not {}", stage(),
                            values.defined() ? fmt::format("{}", fmt::join(values.sizes(), "x")) : "none",
                            fmt::format("{}", fmt::join(expected, "x")))));
        }
        const torch::Tensor message = failure_ ? torch::zeros(expected) : values.detach().cpu().contiguous();
        MPI_Request request = place_.pipeline.start_send(message.data_ptr<float>(), message.numel(), destination, tag);
        Team::wait(request, longest_pause);
    }

    // Runs `pass` unless this stage failed already; keeps what it throws.
    template <class Computation>
    void compute(Computation&& pass) {
        if (failure_) return;
        try {
            pass();
        } catch (...) {
            failure_ = std::current_exception();
        }
    }

    void finish_step() {
        micro_batches_.clear();
        if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    }

    ModelWorkload& workload_;
    PipelinePlace place_;
    PipelineSettings plan_;
    torch::nn::Sequential stage_;
    std::int64_t whole_parameter_count_ = 0;
    std::vector<std::int64_t> input_shape_, output_shape_;  // of one sample, at the stage's two ends
    std::optional<Inbox> activations_;  // but on the first stage
    std::optional<Inbox> gradients_;    // but on the last stage
    std::vector<MicroBatch> micro_batches_;
    float loss_sum_ = 0;
    std::exception_ptr failure_;
};

}  // namespace

std::unique_ptr<Learner> make_pipeline_learner(ModelWorkload& workload, const space::Params& params, const TrainingParameters& hyper,
                                               const FoldData& data, std::uint64_t seed, const TrainingSettings& settings,
                                               const Team& team, torch::Device device) {
    return std::make_unique<PipelineLearner>(workload, params, hyper, data, seed, settings, team, device);
}

}  // namespace hpopt::train
