#!/usr/bin/env python3
"""CPU used by an MPI job whose ranks wait: 16 groups (17 ranks) whose trials sleep for
--duration seconds, sampled from /proc over --window seconds in mid-run. Prints Markdown.

    benchmarks/idle_cpu.py build/src/cli/hpopt --ranks 17 --duration 3 --window 4
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("hpopt")
    parser.add_argument("--ranks", type=int, default=17)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--window", type=float, default=4.0)
    args = parser.parse_args()
    groups = args.ranks - 1
    spec = {
        "space": {"x1": {"type": "real", "low": -5, "high": 10}, "x2": {"type": "real", "low": 0, "high": 15}},
        "optimizer": {"kind": "random"},
        "budget": {"trials": groups * 4},
        "layout": {"groups": groups},
        "workload": {"plugin": "analytic", "function": "branin", "duration_s": args.duration},
    }
    with tempfile.TemporaryDirectory() as out:
        with open(os.path.join(out, "spec.json"), "w") as f:
            json.dump(spec, f)
        job = subprocess.Popen(["mpirun", "-np", str(args.ranks), os.path.abspath(args.hpopt), "run", "spec.json",
                                "--output", "run"], cwd=out, env=ENVIRONMENT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(args.duration + 1)
        pids = subprocess.run(["pgrep", "-f", "hpopt run spec.json"], capture_output=True, text=True).stdout.split()
        before = cpu_ticks(pids)
        time.sleep(args.window)
        used = (cpu_ticks(pids) - before) / os.sysconf("SC_CLK_TCK")
        job.wait()
    share = used / (args.window * os.cpu_count())
    print("| ranks | cores | window | CPU seconds used by the ranks | share of the machine |")
    print("|---|---|---|---|---|")
    print(f"| {args.ranks} | {os.cpu_count()} | {args.window} s | {used:.2f} s | {100 * share:.1f}% |")


if __name__ == "__main__":
    main()
