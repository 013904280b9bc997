#!/usr/bin/env python3
"""Multi-objective search on ZDT1, ZDT2 and DTLZ2 (6 dimensions, 200 evaluations): the
hypervolume each optimizer's evaluated points dominate against (1.1, ..., 1.1), median and mean
over the seeds, as a share of the whole front's; then the grid over the evolutionary search's
population and mode that chose its defaults with several objectives.

    benchmarks/multi_objective.py build/benchmarks/optimizer_benchmark --seeds 20
"""
import argparse
import json
import subprocess

# The whole front's hypervolume against (1.1, ...): the box less the area under f2 = 1 - sqrt(f1)
# or 1 - f1^2, or less the unit sphere's octant.
FRONTS = {"zdt1": 1.21 - 1 / 3, "zdt2": 1.21 - 2 / 3, "dtlz2": 1.331 - 3.141592653589793 / 6}
PROBLEMS = "zdt16:200,zdt26:200,dtlz26:200"
OPTIMIZERS = {
    "random": "random",
    "sobol": "sobol",
    "evolution (defaults: NSGA-II, population 16, steady state)": "evolution",
    "evolution, generational": json.dumps({"kind": "evolution", "mode": "generational"}),
    "bayes (ParEGO)": "bayes",
}


def regrets(benchmark, optimizers, seeds):
    """{(optimizer, function): (median regret, mean regret)}"""
    done = subprocess.run([benchmark, "--optimizers", ";".join(optimizers), "--problems", PROBLEMS, "--seeds", str(seeds)],
                          capture_output=True, text=True, check=True)
    table = {}
    for line in done.stdout.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[(cells[0], cells[1])] = (float(cells[7]), float(cells[8]))
    return table


def with_defaults(optimizer):
    """The optimizer as a spec with several objectives makes it (see several_objectives_defaults)."""
    settings = json.loads(optimizer) if optimizer.startswith("{") else {"kind": optimizer}
    if settings["kind"] == "evolution":
        settings.setdefault("population", 16)
        settings.setdefault("mode", "steady_state")
    return json.dumps(settings) if settings["kind"] == "evolution" else optimizer


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmark", help="the optimizer_benchmark executable")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--populations", default="8,12,16,20,24,32")
    args = parser.parse_args()

    optimizers = {name: with_defaults(kind) for name, kind in OPTIMIZERS.items()}
    table = regrets(args.benchmark, list(optimizers.values()), args.seeds)
    print(f"Hypervolume after 200 evaluations, {args.seeds} seeds: median (mean), and the median as a share of the "
          "whole front's.\n")
    print("| optimizer | " + " | ".join(FRONTS) + " |")
    print("|---|" + "---|" * len(FRONTS))
    for name, optimizer in optimizers.items():
        cells = []
        for function, front in FRONTS.items():
            median, mean = table[(optimizer, function)]
            cells.append(f"{max(front - median, 0):.3f} ({max(front - mean, 0):.3f}), {max(front - median, 0) / front:.0%}")
        print(f"| {name} | " + " | ".join(cells) + " |")

    print(f"\nThe evolutionary search's population and mode with several objectives: median hypervolume, "
          f"{args.seeds} seeds (random search's in the first row).\n")
    print("| mode | population | " + " | ".join(FRONTS) + " |")
    print("|---|---|" + "---|" * len(FRONTS))
    grid = {json.dumps({"kind": "evolution", "population": int(p), "mode": m}): (m, p)
            for m in ("generational", "steady_state") for p in args.populations.split(",")}
    table = regrets(args.benchmark, ["random", *grid], args.seeds)
    for optimizer, (mode, population) in {"random": ("random search", ""), **grid}.items():
        volumes = [front - table[(optimizer, f)][0] for f, front in FRONTS.items()]
        print(f"| {mode} | {population} | " + " | ".join(f"{v:.3f}" for v in volumes) + " |")


if __name__ == "__main__":
    main()
