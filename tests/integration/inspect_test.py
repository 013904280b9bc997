"""Integration tests of what users look at: `hpopt status`, `hpopt export`, the timeline, the
logs and `hpopt report` (rendered by headless Chromium where it can be installed).

Usage: inspect_test.py PATH_TO_HPOPT
"""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HPOPT = None
TIME_SCALE = float(os.environ.get("HPOPT_TEST_TIME_SCALE", "1"))


def slow_branin_spec(trials, duration_s=0.1, **changes):
    spec = {
        "name": "branin",
        "seed": 5,
        "space": {
            "x1": {"type": "real", "low": -5, "high": 10},
            "x2": {"type": "real", "low": 0, "high": 15},
        },
        "optimizer": {"kind": "random"},
        "budget": {"trials": trials},
        "workload": {"plugin": "analytic", "function": "branin", "failure_rate": 0.2,
                     "duration_s": {"distribution": "fixed", "value": duration_s}},
    }
    spec.update(changes)
    return spec


class InspectTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="hpopt_inspect_test_")
        self.addCleanup(self.dir.cleanup)

    def path(self, *parts):
        return os.path.join(self.dir.name, *parts)

    def hpopt(self, *args):
        return subprocess.run([HPOPT, *args], capture_output=True, text=True, cwd=self.dir.name,
                              timeout=120 * TIME_SCALE)

    def write_spec(self, spec):
        with open(self.path("spec.json"), "w") as f:
            json.dump(spec, f)

    def start(self, spec, run="run"):
        self.write_spec(spec)
        process = subprocess.Popen([HPOPT, "run", "spec.json", "--output", run], cwd=self.dir.name,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(process.kill)
        return process

    def wait_for_records(self, run, count):
        deadline = time.monotonic() + 60 * TIME_SCALE
        while time.monotonic() < deadline:
            try:
                with open(self.path(run, "journal.jsonl")) as f:
                    if f.read().count("\n") >= count:
                        return
            except OSError:
                pass
            time.sleep(0.02)
        self.fail(f"{run}/journal.jsonl never had {count} records")

    def journal(self, run="run"):
        with open(self.path(run, "journal.jsonl")) as f:
            return [json.loads(line) for line in f]

    def test_status_while_the_search_runs_and_after(self):
        process = self.start(slow_branin_spec(12, duration_s=0.3))
        self.wait_for_records("run", 4)
        status = self.hpopt("status", "run")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn('search "branin" in run: running', status.stdout)
        self.assertRegex(status.stdout, r"running:\n  trial \d+ on group 0 for \d")
        self.assertRegex(status.stdout, r"trials: \d+ finished of 12")
        # A second writer is refused while the run goes on, even with --force.
        for refused in (self.hpopt("resume", "run"), self.hpopt("run", "spec.json", "--output", "run", "--force")):
            self.assertEqual(refused.returncode, 2)
            self.assertIn("goes on", refused.stderr)
        self.assertEqual(process.wait(timeout=60 * TIME_SCALE), 0)

        status = self.hpopt("status", "run")
        self.assertIn("finished: trial budget reached", status.stdout)
        failed = sum(r["event"] == "trial_finished" and r["status"] == "failed" for r in self.journal())
        self.assertIn(f"trials: 12 finished of 12 ({failed} failed), 0 running; 1 group(s)", status.stdout)
        with open(self.path("run", "best.json")) as f:
            best = json.load(f)
        self.assertIn(f"best: trial {best['trial']}, branin = ", status.stdout)
        self.assertNotIn("running:", status.stdout)

    def test_status_tells_a_killed_run_and_an_interrupted_one_from_a_running_one(self):
        process = self.start(slow_branin_spec(50, duration_s=0.2))
        self.wait_for_records("run", 3)
        process.kill()
        process.wait()
        status = self.hpopt("status", "run")
        self.assertIn("stopped without an end", status.stdout)
        self.assertIn("`hpopt resume run` goes on with it", status.stdout)

        process = subprocess.Popen([HPOPT, "resume", "run"], cwd=self.dir.name, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        self.addCleanup(process.kill)
        self.wait_for_records("run", len(self.journal()) + 3)
        process.send_signal(signal.SIGINT)
        self.assertEqual(process.wait(timeout=60 * TIME_SCALE), 3)
        status = self.hpopt("status", "run")
        self.assertIn("interrupted: `hpopt resume run` goes on with it", status.stdout)
        self.assertIn("in 2 session(s)", status.stdout)

    def test_export_writes_every_trial_as_csv_or_json(self):
        self.write_spec(slow_branin_spec(10, duration_s=0, layout={"folds": 2}))
        self.assertEqual(self.hpopt("run", "spec.json", "--output", "run").returncode, 0)
        finished = {r["trial"]: r for r in self.journal() if r["event"] == "trial_finished"}

        exported = self.hpopt("export", "run")
        self.assertEqual(exported.returncode, 0, exported.stderr)
        rows = list(csv.DictReader(io.StringIO(exported.stdout)))
        self.assertEqual([int(r["trial"]) for r in rows], list(range(10)))
        self.assertEqual(set(rows[0]), {"trial", "status", "fom", "fom_std", "x1", "x2", "fold_0", "fold_1", "group",
                                        "attempts", "suggested_s", "finished_s", "duration_s", "reason"})
        for row in rows:
            record = finished[int(row["trial"])]
            self.assertEqual(row["status"], record["status"])
            if record["status"] == "ok":
                self.assertAlmostEqual(float(row["fom"]), record["fom"], places=9)
                self.assertAlmostEqual(float(row["fold_1"]), record["fold_foms"][1], places=9)
            else:
                self.assertEqual(row["fom"], "")
                self.assertEqual(row["reason"], record["reason"])
        self.assertIn("failed", {r["status"] for r in rows})

        self.assertEqual(self.hpopt("export", "run", "--format", "json", "--output", "trials.json").returncode, 0)
        with open(self.path("trials.json")) as f:
            document = json.load(f)
        with open(self.path("run", "best.json")) as f:
            self.assertEqual(document["run"]["best_trial"], json.load(f)["trial"])
        self.assertEqual(document["run"]["fom_name"], "branin")
        self.assertEqual(len(document["trials"]), 10)
        suggested = [r for r in self.journal() if r["event"] == "trial_suggested"]
        self.assertEqual(document["trials"][3]["params"], suggested[3]["params"])

        wrong = self.hpopt("export", "run", "--format", "xml")
        self.assertEqual(wrong.returncode, 2)
        self.assertIn("xml", wrong.stderr)
        missing = self.hpopt("export", "elsewhere")
        self.assertEqual(missing.returncode, 2)
        self.assertEqual(missing.stderr.strip(), "hpopt export: elsewhere has no journal.jsonl: not the output dir of a run")

    def test_the_timeline_has_every_run_of_every_trial(self):
        spec = slow_branin_spec(15, duration_s=0.02, budget={"trials": 15, "max_retries": 1})
        spec["workload"]["fault_rate"] = 0.3
        self.write_spec(spec)
        self.assertEqual(self.hpopt("run", "spec.json", "--output", "run").returncode, 0)
        with open(self.path("run", "timeline.json")) as f:
            trace = json.load(f)
        slices = [e for e in trace["traceEvents"] if e["ph"] == "X" and e["pid"] == 1]
        records = self.journal()
        handed_out = sum(r["event"] in ("trial_suggested", "trial_retried") for r in records)
        self.assertEqual(len(slices), handed_out)
        self.assertGreater(handed_out, 15)  # failures were retried
        self.assertEqual({e["cat"] for e in slices} - {"ok", "failed", "attempt failed"}, set())
        starts = [e["ts"] for e in slices]
        self.assertEqual(starts, sorted(starts))
        for first, second in zip(slices, slices[1:]):  # one group: one trial at a time
            self.assertLessEqual(first["ts"] + first["dur"], second["ts"] + 1000)
        names = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"}
        self.assertEqual(names, {"coordinator", "group 0"})


if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
