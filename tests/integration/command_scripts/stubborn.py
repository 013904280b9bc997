"""Starts a child that would outlive it, then sleeps past any deadline, ignoring SIGTERM."""
import signal
import subprocess
import sys
import time

subprocess.Popen(["sleep", sys.argv[1]])
signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(600)
