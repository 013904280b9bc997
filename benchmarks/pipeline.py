#!/usr/bin/env python3
"""Pipeline (model) parallelism against one rank: a wide MLP (784-W-W-W-W-10) trained for one
epoch by one rank, then by a pipeline of 2 (and 3) ranks, one stage each, for several
micro-batch counts m and both schedules. Prints a Markdown table of samples/s (median of
--runs), the speed-up over one rank, the most it could be with these stages (the parameters over
the largest stage's: an MLP's work follows its parameters) times the schedule's m / (m + S - 1),
and memory per rank. What the machine gives two ranks at once comes first: two one-rank runs
side by side, their samples/s summed.

    benchmarks/pipeline.py build/benchmarks/pipeline_throughput --width 1024 --runs 3
"""
import argparse
import os
import statistics
import subprocess

# One BLAS thread per rank, as hpopt sets it: the ranks, not the BLAS, share the cores.
ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS="1")


def start(program, ranks, args, schedule="gpipe", micro_batches=1):
    return subprocess.Popen(["mpirun", "-x", "OPENBLAS_NUM_THREADS", "-np", str(ranks), program, "--schedule", schedule,
                             "--micro-batches", str(micro_batches), "--width", str(args.width), "--samples", str(args.samples),
                             "--batch", str(args.batch)], env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def cells_of(process):
    output, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"pipeline_throughput failed ({process.returncode})")
    return [cell.strip() for cell in output.strip().strip("|").split("|")]


def run(program, ranks, args, schedule="gpipe", micro_batches=1):
    """The row's cells from the median run (by samples/s)."""
    rows = [cells_of(start(program, ranks, args, schedule, micro_batches)) for _ in range(args.runs)]
    rows.sort(key=lambda cells: float(cells[3]))
    return rows[len(rows) // 2]


def side_by_side(program, args):
    """The summed samples/s of two one-rank runs at once (the median of --runs)."""
    sums = []
    for _ in range(args.runs):
        pair = [start(program, 1, args), start(program, 1, args)]
        sums.append(sum(float(cells_of(process)[3]) for process in pair))
    return statistics.median(sums)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("program")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--three", action="store_true", help="also 3 stages (oversubscribed on 2 cores)")
    args = parser.parse_args()
    alone = run(args.program, 1, args)
    capacity = side_by_side(args.program, args)
    print(f"MLP 784-{args.width}x4-10, one epoch of {args.samples} Fashion-MNIST images, batch {args.batch}, SGD with momentum, "
          f"one torch thread per rank; median of {args.runs} runs.\n")
    print("| ranks (stages) | schedule | micro-batches m | samples/s | speed-up | bound: balance x m/(m+S-1) | share of the bound "
          "| largest stage: parameters | its training state | most memory a rank gained |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(f"| 1 | - | - | {alone[3]} | 1.00x | | | {alone[4]} | {alone[5]} | {alone[6]} |")
    print(f"| 2 one-rank runs side by side (what the machine gives 2 ranks) | - | - | {capacity:.0f} "
          f"| {capacity / float(alone[3]):.2f}x | | | | | |")
    configurations = [(2, schedule, m) for m in (1, 2, 4, 8) for schedule in ("gpipe", "1f1b")]
    if args.three:
        configurations += [(3, schedule, 8) for schedule in ("gpipe", "1f1b")]
    for stages, schedule, m in configurations:
        cells = run(args.program, stages, args, schedule, m)
        largest, total = (float(part.split()[0]) for part in cells[4].split(" of "))
        speed_up = float(cells[3]) / float(alone[3])
        bound = total / largest * m / (m + stages - 1)
        print(f"| {stages} | {schedule} | {m} | {cells[3]} | {speed_up:.2f}x | {bound:.2f}x | {speed_up / bound:.0%} "
              f"| {cells[4]} | {cells[5]} | {cells[6]} |")


if __name__ == "__main__":
    main()
