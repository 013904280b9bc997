#!/usr/bin/env python3
"""Runs a benchmark command and records its Markdown output in BENCHMARKS.md.

    benchmarks/record.py "Section title" -- COMMAND [ARGS...]

The section (from its "## " heading to the next one) is replaced, or added at the end, with
the command, the date and the machine, so that every figure says how it was made.
"""
import datetime
import os
import platform
import re
import subprocess
import sys


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            found = re.search(r"model name\s*:\s*(.*)", f.read())
            model = found.group(1) if found else model
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}"


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    title, command = sys.argv[1], sys.argv[3:]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    print(output, end="")
    section = (
        f"## {title}\n\n"
        f"Command: `{' '.join(command)}`  \n"
        f"Measured {datetime.date.today()} on {machine()}.\n\n"
        f"{output.rstrip()}\n\n"
    )
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "BENCHMARKS.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    with open(path, "w") as f:
        f.write(text.rstrip() + "\n")


if __name__ == "__main__":
    main()
