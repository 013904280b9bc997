#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. Ends with the line
# "N passed, N failed" counted from meson's results; exits non-zero on any failure.
#   scripts/test.sh              # release build in build/
#   scripts/test.sh --sanitize   # the same suite built with AddressSanitizer and
#                                # UndefinedBehaviorSanitizer in build-sanitize/: any report
#                                # (kept in build-sanitize/sanitizer-reports/) fails the run
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_multiplier=1
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-sanitize
  meson_options="--buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false"
  reports="$PWD/$build_dir/sanitizer-reports"
  # Every process of the suite (ranks under mpirun included) writes its reports there. Leaks
  # need whole stacks (fast unwinding stops in libc) to be told apart from Open MPI's own.
  export ASAN_OPTIONS="log_path=$reports/asan:fast_unwind_on_malloc=0:verify_asan_link_order=0"
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
  timeout_multiplier=4
  export HPOPT_TEST_TIME_SCALE=$timeout_multiplier  # the integration tests' own time limits
elif [ -n "${1:-}" ]; then
  echo "usage: scripts/test.sh [--sanitize]" >&2
  exit 2
fi
source scripts/setup.sh
# A test renders `hpopt report`'s page in a real browser: Debian's Chromium, where it can be had.
install_missing chromium || echo "note: Chromium could not be installed: the report's browser test will be skipped"
# The PyTorch script example (examples/pytorch-script) is tested with Debian's PyTorch.
install_missing python3-torch || echo "note: python3-torch could not be installed: the PyTorch script's test will be skipped"
if [ -n "${reports:-}" ]; then
  rm -rf "$reports" && mkdir -p "$reports"
  # Built without the sanitizers: it is preloaded into every process, python and mpirun too.
  g++ -shared -fPIC -O2 -o "$build_dir/libkeep_loaded.so" tests/sanitizers/keep_loaded.cpp
  export LD_PRELOAD="$PWD/$build_dir/libkeep_loaded.so"  # see tests/sanitizers/keep_loaded.cpp
fi

status=0
meson test -C "$build_dir" --print-errorlogs --timeout-multiplier "$timeout_multiplier" || status=$?

if [ -n "${reports:-}" ] && [ -n "$(ls -A "$reports")" ]; then
  echo "sanitizer reports ($reports):"
  head -n 40 "$reports"/*
  status=1
fi

python3 - "$build_dir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as log:
    for line in log:
        result = json.loads(line)["result"]
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit "$status"
