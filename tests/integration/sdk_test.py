"""The plugin SDK: a workload built out of the tree with nothing but `pkg-config --cflags --libs
hpopt` (the build tree's uninstalled variant) loads and runs.

Usage: sdk_test.py PATH_TO_HPOPT
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import unittest

HPOPT = None
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sdk", "sum_plugin.cpp")


class SdkTest(unittest.TestCase):
    def test_a_plugin_built_with_pkg_config_loads_and_runs(self):
        build = os.path.dirname(os.path.dirname(os.path.dirname(HPOPT)))  # build/src/cli/hpopt
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(build, "meson-uninstalled"))
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "hpopt"], env=env, capture_output=True, text=True, check=True)
        with tempfile.TemporaryDirectory(prefix="hpopt_sdk_test_") as work:
            module = os.path.join(work, "hpopt_sdk_sum.so")
            compiled = subprocess.run(["g++", "-std=c++17", "-shared", "-fPIC", SOURCE, *shlex.split(flags.stdout), "-o", module],
                                      capture_output=True, text=True)
            self.assertEqual(compiled.returncode, 0, compiled.stderr)
            spec = {"seed": 1, "space": {"a": {"type": "real", "low": 0, "high": 1}, "b": {"type": "real", "low": 0, "high": 1}},
                    "optimizer": {"kind": "random"}, "budget": {"trials": 5}, "workload": {"plugin": "sdk_sum"}}
            with open(os.path.join(work, "spec.json"), "w") as f:
                json.dump(spec, f)
            done = subprocess.run([HPOPT, "run", "spec.json", "--output", "run"], cwd=work, capture_output=True, text=True,
                                  env=dict(os.environ, HPOPT_PLUGIN_PATH=work), timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("trial budget reached after 5 trials", done.stdout)
            with open(os.path.join(work, "run", "journal.jsonl")) as f:
                records = [json.loads(line) for line in f]
            params = {r["trial"]: r["params"] for r in records if r["event"] == "trial_suggested"}
            for r in records:
                if r["event"] == "trial_finished":
                    self.assertAlmostEqual(r["fom"], params[r["trial"]]["a"] + params[r["trial"]]["b"])


if __name__ == "__main__":
    HPOPT = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
