#!/usr/bin/env python3
"""Coordinator utilization under mpirun: groups x trials of simulated work, per optimizer.
Prints a Markdown table from each run's journal.

    benchmarks/utilization.py build/src/cli/hpopt --groups 16 --trials 1000 --duration 0.05 \\
        --optimizers '{"kind": "random"}' '{"kind": "bayes"}'

--spread gives trial durations a lognormal spread (sigma) around --duration, the straggler case.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")


def run(hpopt, optimizer, args, out):
    duration = ({"distribution": "lognormal", "median": args.duration, "sigma": args.spread}
                if args.spread else args.duration)
    spec = {
        "seed": 1,
        "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 7)},
        "optimizer": optimizer,
        "budget": {"trials": args.trials},
        "layout": {"groups": args.groups},
        "workload": {"plugin": "analytic", "function": "hartmann6", "duration_s": duration},
    }
    spec_path = os.path.join(out, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    run_dir = os.path.join(out, "run")
    subprocess.run(["mpirun", "-np", str(args.groups + 1), hpopt, "run", spec_path, "--output", run_dir, "--force"],
                   check=True, capture_output=True, env=ENVIRONMENT)
    with open(os.path.join(run_dir, "journal.jsonl")) as f:
        records = [json.loads(line) for line in f]
    summary = records[-1]["summary"]
    durations = [r["duration_s"] for r in records if r["event"] == "trial_finished"]
    best = summary.get("best", {}).get("fom")
    overhead = summary["elapsed_s"] * summary["groups"] / summary["trials"] - statistics.mean(durations)
    return summary, overhead, best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--groups", type=int, default=16)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=0.05)
    parser.add_argument("--spread", type=float, default=0.0)
    parser.add_argument("--optimizers", nargs="+", default=['{"kind": "random"}'])
    args = parser.parse_args()
    print("| optimizer | groups | trials | trial time | utilization | per-trial overhead | mean dispatch latency "
          "| model time (per suggestion) | tell total | elapsed | best FoM |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for text in args.optimizers:
        with tempfile.TemporaryDirectory() as out:
            summary, overhead, best = run(args.hpopt, json.loads(text), args, out)
        trial_time = f"{args.duration} s" + (f", lognormal sigma {args.spread}" if args.spread else "")
        print(f"| `{text}` | {summary['groups']} | {summary['trials']} | {trial_time} | "
              f"{100 * summary['utilization']:.1f}% | {1e3 * overhead:.2f} ms | "
              f"{1e3 * summary['mean_dispatch_latency_s']:.2f} ms | "
              f"{summary['model_s']:.2f} s ({1e3 * summary['model_s'] / max(summary['suggested'], 1):.2f} ms) | "
              f"{summary['tell_s']:.3f} s | {summary['elapsed_s']:.1f} s | {best:.4g} |")


if __name__ == "__main__":
    main()
