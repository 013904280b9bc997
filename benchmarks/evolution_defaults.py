#!/usr/bin/env python3
"""The grid that chose the evolutionary search's defaults: population x mutation probability,
generational (one group) and steady state (8 groups: 7 pending), on four analytic functions.
Prints, per setting and mode, how many times lower its median regret is than random search's.

    benchmarks/evolution_defaults.py build/benchmarks/optimizer_benchmark --seeds 20
"""
import argparse
import json
import subprocess

PROBLEMS = "hartmann6:500,ackley10:2000,rastrigin10:2000,levy10:2000"
FUNCTIONS = ["hartmann6", "ackley", "rastrigin", "levy"]  # as optimizer_benchmark names them
MODES = {"generational": 0, "steady_state": 7}  # mode: pending suggestions at every ask


def medians(benchmark, optimizers, seeds, pending):
    """{(optimizer, function): median regret}"""
    done = subprocess.run([benchmark, "--optimizers", ";".join(optimizers), "--problems", PROBLEMS, "--seeds", str(seeds),
                           "--pending", str(pending)], capture_output=True, text=True, check=True)
    table = {}
    for line in done.stdout.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[(cells[0], cells[1])] = float(cells[7])
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("benchmark", help="the optimizer_benchmark executable")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--populations", default="8,10,12,16,20")
    parser.add_argument("--mutation", default="0.05,0.1,0.17,0.25,1,1/d", help="per-gene probabilities; 1/d: the default")
    args = parser.parse_args()
    print("| mode | population | mutation probability | " + " | ".join(f"{f}: random / it" for f in FUNCTIONS) + " |")
    print("|---|---|---|" + "---|" * len(FUNCTIONS))
    for mode, pending in MODES.items():
        settings = {}
        for population in args.populations.split(","):
            for mutation in args.mutation.split(","):
                optimizer = {"kind": "evolution", "mode": mode, "population": int(population)}
                if mutation != "1/d":
                    optimizer["mutation_probability"] = float(mutation)
                settings[json.dumps(optimizer)] = (population, mutation)
        table = medians(args.benchmark, ["random", *settings], args.seeds, pending)
        for optimizer, (population, mutation) in settings.items():
            ratios = [table[("random", f)] / max(table[(optimizer, f)], 1e-300) for f in FUNCTIONS]
            print(f"| {mode} | {population} | {mutation} | " + " | ".join(f"{r:.3g}" for r in ratios) + " |", flush=True)


if __name__ == "__main__":
    main()
