"""Integration tests of what users look at: `hpopt status`, `hpopt export`, the timeline, the
logs and `hpopt report` (rendered by headless Chromium where it can be installed).

Usage: inspect_test.py PATH_TO_HPOPT
"""
import collections
import csv
import html.parser
import io
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

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


class PlotCensus(html.parser.HTMLParser):
    """Counts the marks of each plot (<svg class="plot" id=...>) by element and class, and
    collects the tick labels of its x axis."""

    def __init__(self, text):
        super().__init__()
        self.marks = collections.defaultdict(collections.Counter)  # plot id -> (element, class) -> count
        self.ticks = collections.defaultdict(list)
        self.plot = None
        self.in_tick = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and "plot" in attrs.get("class", ""):
            self.plot = attrs["id"]
        elif self.plot:
            self.marks[self.plot][(tag, attrs.get("class"))] += 1
            self.in_tick = attrs.get("class") == "x-tick"

    def handle_endtag(self, tag):
        if tag == "svg":
            self.plot = None
        self.in_tick = False

    def handle_data(self, data):
        if self.plot and self.in_tick:
            self.ticks[self.plot].append(data)


def mixed_space_spec(trials):
    return {
        "name": "mixed <&> space",
        "seed": 11,
        "space": {  # rastrigin reads x1 and x2; the others are there to be plotted
            "x1": {"type": "real", "low": -5.12, "high": 5.12},
            "x2": {"type": "int", "low": -5, "high": 5},
            "lr": {"type": "real", "low": 1e-4, "high": 0.3, "log": True},
            "width": {"type": "int", "low": 8, "high": 512, "log": True},
            "activation": {"type": "categorical", "choices": ["relu", "tanh", "gelu"]},
            "batch": {"type": "fixed", "value": 32},
        },
        "optimizer": {"kind": "random"},
        "budget": {"trials": trials, "max_retries": 1},
        "layout": {"folds": 3},
        "early_stopping": {"kind": "asha", "reduction_factor": 2},
        "workload": {"plugin": "analytic", "function": "rastrigin", "noise": 0.2, "failure_rate": 0.15,
                     "fault_rate": 0.1, "epochs": 4, "curve_gap": 20, "duration_s": 0.005},
    }


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
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        process = self.start(slow_branin_spec(30, duration_s=0.3))
        self.wait_for_records("run", 4)
        status = self.hpopt("status", "run")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertIn('search "branin" in run: running', status.stdout)
        self.assertRegex(status.stdout, r"running:\n  trial \d+ on group 0 for \d")
        self.assertRegex(status.stdout, r"trials: \d+ finished of 30")
        # The report too, of a search that goes on: its running trial is on the Gantt chart.
        made = self.hpopt("report", "run")
        self.assertEqual(made.returncode, 0, made.stderr)
        with open(self.path("run", "report.html")) as f:
            self.assertRegex(f.read(), r'class="run"[^>]*><title>trial \d+ on group 0: running')
        # A second writer is refused while the run goes on, even with --force.
        for refused in (self.hpopt("resume", "run"), self.hpopt("run", "spec.json", "--output", "run", "--force")):
            self.assertEqual(refused.returncode, 2)
            self.assertIn("goes on", refused.stderr)
        self.assertEqual(process.wait(timeout=60 * TIME_SCALE), 0)

        status = self.hpopt("status", "run")
        self.assertIn("finished: trial budget reached", status.stdout)
        failed = sum(r["event"] == "trial_finished" and r["status"] == "failed" for r in self.journal())
        self.assertIn(f"trials: 30 finished of 30 ({failed} failed), 0 running; 1 group(s)", status.stdout)
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

        process = subprocess.Popen([HPOPT, "resume", "run"], cwd=self.dir.name, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
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

    def test_logs_have_levels_timestamps_and_the_rank_and_go_on_after_a_resume(self):
        self.write_spec(slow_branin_spec(6, duration_s=0.01))
        quiet = self.hpopt("run", "spec.json", "--output", "run", "--log-level", "warning")
        self.assertEqual(quiet.returncode, 0, quiet.stderr)
        self.assertNotIn(" info: ", quiet.stderr)
        with open(self.path("run", "logs", "rank-0.log")) as f:
            self.assertNotIn(" info: ", f.read())

        chatty = self.hpopt("run", "spec.json", "--output", "run", "--force", "--log-level", "debug")
        self.assertEqual(chatty.returncode, 0, chatty.stderr)
        line = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z rank 0 \(coordinator\) (debug|info|warning|error): ")
        with open(self.path("run", "logs", "rank-0.log")) as f:
            lines = f.read().splitlines()
        self.assertTrue(all(line.match(each) for each in lines), lines[:3])
        self.assertTrue(any(re.search(r"debug: trial 5 fold 0: (ok|failed)", each) for each in lines))
        self.assertTrue(any(" info: 6/6 trials done" in each for each in lines))
        self.assertEqual(chatty.stderr.splitlines(), lines)  # one process: the same lines

        resumed = self.hpopt("resume", "run", "--trials", "8")
        self.assertEqual(resumed.returncode, 0, resumed.stderr)
        with open(self.path("run", "logs", "rank-0.log")) as f:
            after = f.read().splitlines()
        self.assertEqual(after[:len(lines)], lines)
        self.assertTrue(any(" info: 8/8 trials done" in each for each in after[len(lines):]))

        bad = self.hpopt("run", "spec.json", "--output", "other", "--log-level", "loud")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("loud", bad.stderr)

    def test_on_a_terminal_the_progress_is_one_live_line(self):
        self.write_spec(slow_branin_spec(8, duration_s=0.15))
        try:
            pid, terminal = pty.fork()
        except OSError as error:  # a container without /dev/pts
            self.skipTest(f"no pseudo-terminal can be opened here ({error}): the live line needs a terminal")
        if pid == 0:
            os.chdir(self.dir.name)
            os.execv(HPOPT, [HPOPT, "run", "spec.json", "--output", "run"])
        output = b""
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the child has gone: the terminal is closed
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, output)
        text = output.decode()
        redraws = re.findall(r"\r\x1b\[K(\d)/8 trials done, (\d) running", text)
        self.assertGreater(len(redraws), 2, text)
        self.assertEqual([int(done) for done, _ in redraws], sorted(int(done) for done, _ in redraws))
        # The line is erased before the results are printed: none of them follows it on its line.
        self.assertRegex(text, r"\r\x1b\[K(\r\n)?done: trial budget reached after 8 trials")

    def check_plots(self, census, records):
        """The report's plots hold a mark per trial, as the journal says."""
        finished = [r for r in records if r["event"] == "trial_finished"]
        ok = sum(r["status"] == "ok" for r in finished)
        failed = sum(r["status"] == "failed" for r in finished)
        stopped = sum(r["status"] == "stopped" for r in finished)
        runs = sum(r["event"] in ("trial_suggested", "trial_retried", "trial_resumed") for r in records)
        self.assertGreater(failed, 0)
        self.assertGreater(stopped, 0)
        self.assertGreater(runs, len(finished))  # some faults were retried
        for plot in ("convergence-trials", "convergence-time"):
            self.assertEqual(census.marks[plot][("circle", "point")], ok, plot)
            self.assertEqual(census.marks[plot][("polyline", "best-line")], 1, plot)
        self.assertEqual(census.marks["parallel-coordinates"][("polyline", "trial-line")], ok)
        for name in ("x1", "x2", "lr", "width", "activation"):
            self.assertEqual(census.marks["fom-vs-" + name][("circle", "point")], ok, name)
            self.assertEqual(census.marks["fom-vs-" + name][("path", "failed")], failed, name)
        self.assertNotIn("fom-vs-batch", census.marks)  # fixed: not searched
        self.assertEqual(census.marks["gantt"][("rect", "run")], runs)
        self.assertEqual(census.marks["fold-spread"][("polyline", "spread")], ok)
        self.assertEqual(census.marks["fold-spread"][("circle", "fold-point")], 3 * ok)
        self.assertEqual(census.marks["learning-curves"][("polyline", "trial-curve")], ok)
        self.assertEqual(census.marks["learning-curves"][("polyline", "stopped-curve")], stopped)
        judged_at = {r["epoch"] for r in records if r["event"] == "trial_stopped_early"}
        self.assertEqual(census.marks["learning-curves"][("polyline", "rung")], len(judged_at))
        # A log axis has ticks a factor apart, a categorical one a tick per choice.
        self.assertEqual(census.ticks["fom-vs-lr"], ["0.0001", "0.001", "0.01", "0.1"])
        self.assertEqual(census.ticks["fom-vs-width"], ["10", "100"])
        self.assertEqual(census.ticks["fom-vs-activation"], ["relu", "tanh", "gelu"])

    def test_the_report_has_every_plot_with_a_mark_per_trial_and_renders_in_chromium(self):
        self.write_spec(mixed_space_spec(40))
        self.assertEqual(self.hpopt("run", "spec.json", "--output", "run").returncode, 0)
        os.remove(self.path("run", "timeline.json"))
        made = self.hpopt("report", "run")
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertTrue(os.path.exists(self.path("run", "timeline.json")))
        with open(self.path("run", "report.html")) as f:
            page = f.read()
        self.assertFalse(re.search(r"(src|href)=", page), "the report fetches nothing")
        self.assertFalse("<script" in page)
        self.assertTrue('<h1>Search "mixed &lt;&amp;&gt; space"</h1>' in page, "the name, escaped")
        self.check_plots(PlotCensus(page), self.journal())

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            self.skipTest("Chromium is not installed (scripts/setup.sh installs Debian's chromium where it can): "
                          "the report was checked as HTML, not rendered in a browser")
        url = "file://" + self.path("run", "report.html")
        browser = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + self.path("chromium")]
        dom = subprocess.run(browser + ["--dump-dom", url], capture_output=True, text=True, timeout=120 * TIME_SCALE)
        self.assertEqual(dom.returncode, 0, dom.stderr)
        self.check_plots(PlotCensus(dom.stdout), self.journal())
        shot = subprocess.run(browser + ["--window-size=1100,4200", "--screenshot=" + self.path("report.png"), url],
                              capture_output=True, text=True, timeout=120 * TIME_SCALE)
        self.assertEqual(shot.returncode, 0, shot.stderr)
        self.assertGreater(distinct_pixel_bytes(self.path("report.png")), 100)  # drawn, not a blank page
        if os.environ.get("HPOPT_KEEP_SCREENSHOT"):
            shutil.copy(self.path("report.png"), os.environ["HPOPT_KEEP_SCREENSHOT"])

    def test_the_report_draws_the_pareto_front_and_the_hypervolume_and_renders_in_chromium(self):
        for function, objectives in (("zdt1", 2), ("dtlz2", 3)):
            with self.subTest(function=function):
                self.write_spec({"name": function, "seed": 4,
                                 "space": {f"x{i}": {"type": "real", "low": 0, "high": 1} for i in range(1, 5)},
                                 "objectives": [{"name": f"f{j}"} for j in range(1, objectives + 1)],
                                 "optimizer": {"kind": "evolution"}, "budget": {"trials": 40},
                                 "workload": {"plugin": "analytic", "function": function, "failure_rate": 0.1}})
                self.assertEqual(self.hpopt("run", "spec.json", "--output", function).returncode, 0)
                made = self.hpopt("report", function)
                self.assertEqual(made.returncode, 0, made.stderr)
                with open(self.path(function, "pareto.json")) as f:
                    front = len(json.load(f)["trials"])
                with open(self.path(function, "results.csv")) as f:
                    succeeded = sum(row["status"] == "ok" for row in csv.DictReader(f))
                with open(self.path(function, "report.html")) as f:
                    pages = [f.read()]
                chromium = shutil.which("chromium") or shutil.which("chromium-browser")
                if chromium:
                    browser = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + self.path("chromium")]
                    dom = subprocess.run(browser + ["--dump-dom", "file://" + self.path(function, "report.html")],
                                         capture_output=True, text=True, timeout=120 * TIME_SCALE)
                    self.assertEqual(dom.returncode, 0, dom.stderr)
                    pages.append(dom.stdout)
                for page in pages:
                    marks = PlotCensus(page).marks
                    if objectives == 2:  # a scatter: a point per successful trial, the front's red and joined
                        self.assertEqual(marks["pareto-front"][("circle", "front-point")], front)
                        self.assertEqual(marks["pareto-front"][("circle", "point")], succeeded - front)
                        self.assertEqual(marks["pareto-front"][("polyline", "front-line")], 1)
                    else:  # parallel coordinates: a line per successful trial
                        self.assertEqual(marks["pareto-front"][("polyline", "front-line")], front)
                        self.assertEqual(marks["pareto-front"][("polyline", "trial-line")], succeeded - front)
                    self.assertEqual(marks["hypervolume"][("polyline", "hypervolume-line")], 1)
                self.assertGreater(front, 1)
                self.assertLess(front, succeeded)
                # The front's table has a column per figure the workload reported: each objective.
                for j in range(1, objectives + 1):
                    self.assertIn(f"<th>f{j}</th>", pages[0])


def distinct_pixel_bytes(png_path):
    """How many distinct byte values a PNG's image data holds: a blank page has a handful."""
    with open(png_path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, b""
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        if kind == b"IDAT":
            compressed += data[position + 8:position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(compressed)))


if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
