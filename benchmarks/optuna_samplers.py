#!/usr/bin/python3
"""hpopt's optimizers beside Optuna's samplers on the analytic test functions, in one run.

    /usr/bin/python3 benchmarks/optuna_samplers.py build/benchmarks/optimizer_benchmark \
        --problems hartmann6:500:20,ackley10:2000:10,rastrigin10:2000:10 \
        --hpopt 'cmaes;evolution;random' --optuna 'cmaes;cmaes-ipop;random'

Each problem is FUNCTION[D]:EVALUATIONS:SEEDS. Prints a Markdown table of the median and mean
simple regret (best value found minus the known minimum) over seeds 0..SEEDS-1. Needs Debian's
python3-optuna (and python3-cmaes, which it pulls in). The analytic functions are those of
plugins/analytic/test_functions.cpp, written again here; the mixed spaces (mlp7, boosting6,
cnn6, minimum 0) are benchmarks/mixed_functions.cpp's, evaluated by the mixed_function
program beside the optimizer_benchmark executable.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import warnings

import optuna

HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    return -sum(HARTMANN_ALPHA[i] * math.exp(-sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def ackley(x):
    d = len(x)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / d)) - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / d)
            + 20 + math.e)


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


# name: (function, fixed dimension or None, bounds, minimum)
FUNCTIONS = {
    "hartmann6": (hartmann6, 6, (0, 1), -3.32236801141551),
    "ackley": (ackley, None, (-32.768, 32.768), 0.0),
    "rastrigin": (rastrigin, None, (-5.12, 5.12), 0.0),
}

SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed),
    "cmaes-ipop": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, restart_strategy="ipop"),
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
}


MIXED = ("mlp7", "boosting6", "cnn6")


class MixedFunction:
    """A mixed-space function of benchmarks/mixed_functions.cpp, evaluated by a mixed_function process."""

    def __init__(self, program, name):
        self.space = json.loads(subprocess.run([program, "describe", name], capture_output=True, text=True, check=True).stdout)
        self.process = subprocess.Popen([program, "evaluate", name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def suggest(self, trial):
        params = {}
        for name, d in self.space.items():
            if d["type"] == "real":
                params[name] = trial.suggest_float(name, d["low"], d["high"], log=d["log"])
            elif d["type"] == "int":
                params[name] = trial.suggest_int(name, d["low"], d["high"], log=d["log"])
            else:
                params[name] = trial.suggest_categorical(name, d["choices"])
        return params

    def __call__(self, trial):
        self.process.stdin.write(json.dumps(self.suggest(trial)) + "\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())


def mixed_regret(program, sampler, name, evaluations, seed):
    function = MixedFunction(program, name)
    study = optuna.create_study(sampler=SAMPLERS[sampler](seed))
    study.optimize(function, n_trials=evaluations)
    function.process.stdin.close()
    function.process.wait()
    return study.best_value


def parse_problem(text):
    name, evaluations, seeds = text.split(":")
    base = next(f for f in FUNCTIONS if name.startswith(f))
    function, fixed, bounds, minimum = FUNCTIONS[base]
    d = fixed if fixed else int(name[len(base):])
    return name, base, function, d, bounds, minimum, int(evaluations), int(seeds)


def optuna_regret(sampler, function, d, bounds, minimum, evaluations, seed):
    study = optuna.create_study(sampler=SAMPLERS[sampler](seed))
    study.optimize(lambda trial: function([trial.suggest_float(f"x{i + 1}", *bounds) for i in range(d)]), n_trials=evaluations)
    return study.best_value - minimum


def hpopt_rows(benchmark, optimizers, problem, seeds):
    done = subprocess.run([benchmark, "--optimizers", optimizers, "--problems", problem, "--seeds", str(seeds)],
                          capture_output=True, text=True, check=True)
    rows = []
    for line in done.stdout.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((cells[0], float(cells[7]), float(cells[8])))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmark", help="the optimizer_benchmark executable")
    parser.add_argument("--problems", default="hartmann6:500:20,ackley10:2000:10,rastrigin10:2000:10")
    parser.add_argument("--hpopt", default="cmaes;evolution;random", help="hpopt optimizers, ';'-separated")
    parser.add_argument("--optuna", default="cmaes;cmaes-ipop;random", help="Optuna samplers: " + ", ".join(SAMPLERS))
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # multivariate TPE

    print("| function | d | evaluations | seeds | optimizer | median regret | mean regret |")
    print("|---|---|---|---|---|---|---|")
    program = os.path.join(os.path.dirname(args.benchmark), "mixed_function")
    for text in args.problems.split(","):
        if text.split(":")[0] in MIXED:
            name, evaluations, seeds = text.split(":")
            evaluations, seeds = int(evaluations), int(seeds)
            d = len(MixedFunction(program, name).space)
            regret = lambda sampler, seed: mixed_regret(program, sampler, name, evaluations, seed)
        else:
            name, base, function, d, bounds, minimum, evaluations, seeds = parse_problem(text)
            regret = lambda sampler, seed: optuna_regret(sampler, function, d, bounds, minimum, evaluations, seed)
        cells = f"| {name} | {d} | {evaluations} | {seeds} |"
        for optimizer, median, mean in hpopt_rows(args.benchmark, args.hpopt, f"{name}:{evaluations}", seeds):
            print(f"{cells} hpopt {optimizer} | {median:.3g} | {mean:.3g} |", flush=True)
        for sampler in args.optuna.split(";"):
            regrets = [regret(sampler, seed) for seed in range(seeds)]
            print(f"{cells} Optuna {sampler} | {statistics.median(regrets):.3g} | {statistics.mean(regrets):.3g} |", flush=True)

if __name__ == "__main__":
    main()
