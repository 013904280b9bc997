#include "hpopt/train/sync_batch_norm.hpp"

namespace hpopt::train {
namespace {

// A sum over the team that autograd sees through: every rank gets the sum of the ranks'
// tensors, and in the backward pass each rank's gradient is the sum of theirs (every rank's
// loss depends on every rank's share). The team travels as its Fortran handle, an integer.
struct TeamSum : torch::autograd::Function<TeamSum> {
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& values, std::int64_t team) {
        context->saved_data["team"] = team;
        return summed(values, team);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        return {summed(gradients[0], context->saved_data["team"].toInt()), torch::Tensor()};
    }

    static torch::Tensor summed(const torch::Tensor& values, std::int64_t team) {
        // The statistics' sums, exactly as far as doubles go, in host memory where MPI moves them.
        torch::Tensor sum = values.to(torch::kCPU, torch::kDouble).contiguous();
        MPI_Allreduce(MPI_IN_PLACE, sum.data_ptr<double>(), static_cast<int>(sum.numel()), MPI_DOUBLE, MPI_SUM,
                      MPI_Comm_f2c(static_cast<MPI_Fint>(team)));
        return sum.to(values.device(), values.scalar_type());
    }
};

// [1, C, 1, ...]: a per-channel vector shaped to broadcast over `input`.
torch::Tensor per_channel(const torch::Tensor& values, const torch::Tensor& input) {
    std::vector<std::int64_t> shape(static_cast<std::size_t>(input.dim()), 1);
    shape[1] = values.size(0);
    return values.view(shape);
}

}  // namespace

SyncBatchNormImpl::SyncBatchNormImpl(std::int64_t features, double momentum, double eps)
    : features_(features), momentum_(momentum), eps_(eps) {
    reset();
}

void SyncBatchNormImpl::reset() {
    weight = register_parameter("weight", torch::ones({features_}));
    bias = register_parameter("bias", torch::zeros({features_}));
    running_mean = register_buffer("running_mean", torch::zeros({features_}));
    running_var = register_buffer("running_var", torch::ones({features_}));
}

torch::Tensor SyncBatchNormImpl::forward(const torch::Tensor& input) {
    if (!is_training()) {
        const torch::Tensor scale = weight / torch::sqrt(running_var + eps_);
        return input * per_channel(scale, input) + per_channel(bias - running_mean * scale, input);
    }
    std::vector<std::int64_t> reduced;  // every dimension but the channels'
    for (std::int64_t d = 0; d < input.dim(); ++d) {
        if (d != 1) reduced.push_back(d);
    }
    const double local_count = input.numel() == 0 ? 0.0 : static_cast<double>(input.numel() / features_);
    torch::Tensor sums = torch::cat({input.sum(reduced), (input * input).sum(reduced), torch::full({1}, local_count, input.options())});
    if (team_ != MPI_COMM_NULL) sums = TeamSum::apply(sums, static_cast<std::int64_t>(MPI_Comm_c2f(team_)));
    const torch::Tensor count = sums.slice(0, 2 * features_, 2 * features_ + 1);
    const double n = count.item<double>();
    // No sample (a rank a learner schedule leaves out, normalizing alone): nothing to learn from,
    // and statistics of nothing would be NaN. The same on every rank of a team that shares.
    if (n == 0) return input.clone();
    const torch::Tensor mean = sums.slice(0, 0, features_) / count;
    const torch::Tensor variance = (sums.slice(0, features_, 2 * features_) / count - mean * mean).clamp_min(0);  // biased
    {
        torch::NoGradGuard no_grad;
        running_mean.mul_(1 - momentum_).add_(mean.detach(), momentum_);
        running_var.mul_(1 - momentum_).add_(variance.detach() * (n > 1 ? n / (n - 1) : 1.0), momentum_);
    }
    const torch::Tensor scale = weight / torch::sqrt(variance + eps_);
    return input * per_channel(scale, input) + per_channel(bias - mean * scale, input);
}

void share_batches(torch::nn::Module& model, MPI_Comm team) {
    for (const auto& module : model.modules()) {
        if (auto* norm = dynamic_cast<SyncBatchNormImpl*>(module.get())) norm->share_batches_with(team);
    }
}

}  // namespace hpopt::train
