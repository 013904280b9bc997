"""A search run under mpirun for a benchmark, and its journal read back."""
import json
import os
import subprocess

ENVIRONMENT = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                   OMPI_MCA_rmaps_base_oversubscribe="1")


def run_search(hpopt, work, document, ranks, check=True):
    """Runs `document` as spec.json in `work` on `ranks` ranks (output: work/run, replaced) and
    returns the journal's records. With `check`, a run that does not exit 0 raises."""
    with open(os.path.join(work, "spec.json"), "w") as f:
        json.dump(document, f)
    done = subprocess.run(["mpirun", "-np", str(ranks), hpopt, "run", "spec.json", "--output", "run", "--force"], cwd=work,
                          env=ENVIRONMENT, capture_output=True, text=True, timeout=3600)
    if check and done.returncode != 0:
        raise RuntimeError(done.stderr)
    with open(os.path.join(work, "run", "journal.jsonl")) as f:
        return [json.loads(line) for line in f]
