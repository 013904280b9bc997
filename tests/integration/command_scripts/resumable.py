"""Trains 6 epochs of 0.3 s, saving its progress in HPOPT_CHECKPOINT_DIR after each."""
import json
import os
import time

progress = os.path.join(os.environ["HPOPT_CHECKPOINT_DIR"], "progress.json")
start = 0
if os.path.exists(progress):
    with open(progress) as f:
        start = json.load(f)["epoch"]
for epoch in range(start + 1, 7):
    time.sleep(0.3)
    with open(progress + ".tmp", "w") as f:
        json.dump({"epoch": epoch}, f)
    os.replace(progress + ".tmp", progress)
    print(json.dumps({"epoch": epoch, "fom": 1.0 / epoch, "went_on_from": start}), flush=True)
