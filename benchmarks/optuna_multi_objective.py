#!/usr/bin/python3
"""hpopt's multi-objective search beside Optuna's samplers, in one run: the hypervolume of the
points evaluated after 200 evaluations of ZDT1, ZDT2 and DTLZ2 in 6 dimensions, against
(1.1, ..., 1.1), median (mean) over the seeds.

    /usr/bin/python3 benchmarks/optuna_multi_objective.py build/benchmarks/optimizer_benchmark \
        --hpopt 'bayes;evolution;random' --optuna 'nsga2:20;motpe:5;random:20' --seeds 20

Optuna's samplers are given as NAME:SEEDS (its multi-objective TPE takes about a minute per
run here). Needs Debian's python3-optuna. The problems are those of
plugins/analytic/test_functions.cpp, written again here.
"""
import argparse
import math
import statistics
import warnings

import optuna

from multi_objective import FRONTS, regrets, with_defaults

DIMENSIONS, EVALUATIONS, REFERENCE = 6, 200, 1.1


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt1(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = zdt_g(x)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def dtlz2(x):
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]


PROBLEMS = {"zdt1": zdt1, "zdt2": zdt2, "dtlz2": dtlz2}
SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "nsga2": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),  # population 50
    "nsga2-20": lambda seed: optuna.samplers.NSGAIISampler(seed=seed, population_size=20),
    "motpe": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
}


def sliced_volume(points, reference, d):
    """The volume the points (each better than the reference) dominate in their first d objectives."""
    if not points:
        return 0.0
    points = sorted(points, key=lambda p: p[d - 1])
    if d == 1:
        return reference[0] - points[0][0]
    volume = 0.0
    for i, point in enumerate(points):
        top = points[i + 1][d - 1] if i + 1 < len(points) else reference[d - 1]
        if top > point[d - 1]:
            volume += (top - point[d - 1]) * sliced_volume(points[:i + 1], reference, d - 1)
    return volume


def hypervolume(points, reference):
    inside = [p for p in points if all(a < r for a, r in zip(p, reference))]
    front = [p for p in inside if not any(q != p and all(a <= b for a, b in zip(q, p)) for q in inside)]
    return sliced_volume([list(p) for p in {tuple(p) for p in front}], reference, len(reference))


def optuna_volume(sampler, function, seed):
    objectives = len(function([0.5] * DIMENSIONS))
    study = optuna.create_study(directions=["minimize"] * objectives, sampler=SAMPLERS[sampler](seed))
    study.optimize(lambda trial: function([trial.suggest_float(f"x{i + 1}", 0, 1) for i in range(DIMENSIONS)]),
                   n_trials=EVALUATIONS)
    return hypervolume([t.values for t in study.trials], [REFERENCE] * objectives)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmark", help="the optimizer_benchmark executable")
    parser.add_argument("--hpopt", default="bayes;evolution;random")
    parser.add_argument("--optuna", default="nsga2:20;random:20")
    parser.add_argument("--seeds", type=int, default=20, help="hpopt's runs per cell")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # experimental-feature warnings

    print(f"| optimizer | seeds | " + " | ".join(PROBLEMS) + " |")
    print("|---|---|" + "---|" * len(PROBLEMS))
    kinds = args.hpopt.split(";")
    table = regrets(args.benchmark, [with_defaults(k) for k in kinds], args.seeds)
    for kind in kinds:
        cells = []
        for name in PROBLEMS:
            median, mean = table[(with_defaults(kind), name)]
            cells.append(f"{max(FRONTS[name] - median, 0):.3f} ({max(FRONTS[name] - mean, 0):.3f})")
        print(f"| hpopt {kind} | {args.seeds} | " + " | ".join(cells) + " |", flush=True)
    for entry in args.optuna.split(";"):
        sampler, seeds = entry.split(":")
        cells = []
        for function in PROBLEMS.values():
            volumes = [optuna_volume(sampler, function, seed) for seed in range(int(seeds))]
            cells.append(f"{statistics.median(volumes):.3f} ({statistics.fmean(volumes):.3f})")
        print(f"| Optuna {sampler} | {seeds} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
