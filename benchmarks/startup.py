#!/usr/bin/env python3
"""What an hpopt command costs to start: the median wall time and peak memory (RSS) of whole
processes, over several runs each, for `hpopt --help`, `hpopt status` of a 1,000-trial run and
a whole 50-trial Bayesian search of Branin (configs/branin-bayes.json), with the shared
libraries the executable loads. Given a second executable (--baseline, another build: set its
HPOPT_PLUGIN_PATH with --baseline-plugins), both are measured side by side, run after run, so
that the machine's noise falls on both alike. Prints a Markdown table.

    benchmarks/startup.py build/src/cli/hpopt [--baseline OLD/hpopt --baseline-plugins OLD/plugins] [--repeats 9]

Needs GNU time (Debian's `time` package) for the memory figures.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time


def measure(command, cwd, env):
    """Wall seconds and peak RSS (MB) of one run of `command`. GNU time reports the RSS: a child
    forked by Python itself would count Python's pages from before its exec."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
    return seconds, int(done.stderr.split()[-1]) / 1024


def heavy_libraries(hpopt):
    listing = subprocess.run(["ldd", hpopt], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in listing.splitlines() if "=>" in line]
    heavy = [n for n in names if any(key in n for key in ("torch", "c10", "hdf5", "opencv"))]
    return len(names), len(heavy)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--baseline")
    parser.add_argument("--baseline-plugins")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    builds = [("this build", os.path.abspath(args.hpopt), {})]
    if args.baseline:
        plugins = {"HPOPT_PLUGIN_PATH": os.path.abspath(args.baseline_plugins)} if args.baseline_plugins else {}
        builds.append(("baseline", os.path.abspath(args.baseline), plugins))
    with tempfile.TemporaryDirectory() as work:
        spec = {"name": "levy", "seed": 1, "optimizer": {"kind": "random"}, "budget": {"trials": 1000},
                "layout": {"folds": 3}, "workload": {"plugin": "analytic", "function": "levy"},
                "space": {f"x{i}": {"type": "real", "low": -10, "high": 10} for i in range(1, 5)}}
        with open(os.path.join(work, "spec.json"), "w") as f:
            json.dump(spec, f)
        subprocess.run([builds[0][1], "run", "spec.json", "--output", "levy"], check=True, capture_output=True, cwd=work)
        branin = os.path.join(root, "configs", "branin-bayes.json")
        commands = {
            "`hpopt --help`": lambda hpopt: [hpopt, "--help"],
            "`hpopt status` (1,000 trials)": lambda hpopt: [hpopt, "status", "levy"],
            "`hpopt run configs/branin-bayes.json` (50 trials)": lambda hpopt: [hpopt, "run", branin, "--output", "branin", "--force"],
        }
        figures = {(name, label): [] for name in commands for label, _, _ in builds}
        for _ in range(args.repeats):
            for name, command in commands.items():
                for label, hpopt, extra in builds:
                    figures[(name, label)].append(measure(command(hpopt), work, {**os.environ, **extra}))
    print("| command | " + " | ".join(f"{label}: median time, peak RSS" for label, _, _ in builds) + " |")
    print("|---|" + "---|" * len(builds))
    for name in commands:
        cells = []
        for label, _, _ in builds:
            runs = figures[(name, label)]
            cells.append(f"{1e3 * statistics.median(t for t, _ in runs):.0f} ms, {statistics.median(m for _, m in runs):.0f} MB")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nShared libraries the executable loads (of them libtorch, c10, HDF5, OpenCV): " +
          "; ".join(f"{label} {total} ({heavy})" for label, hpopt, _ in builds for total, heavy in [heavy_libraries(hpopt)]))
    print(f"Medians of {args.repeats} runs each, the builds alternating run after run.")


if __name__ == "__main__":
    main()
