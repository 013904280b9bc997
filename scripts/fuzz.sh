#!/usr/bin/env bash
# Fuzzes the spec parser and the journal reader (with the resume replay) with libFuzzer, under
# AddressSanitizer and UndefinedBehaviorSanitizer, for SECONDS each (default 600). Installs
# clang if missing, builds the fuzz targets into build-fuzz/, keeps what they find worth
# keeping in build-fuzz/corpus/<target> (copy it to tests/fuzz/corpus/<target> to keep it for
# good: the test suite replays that folder) and a crashing input in build-fuzz/crashes/.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
source scripts/setup.sh  # the project's packages, and build/ (the corpus replays' home)

install_missing clang libclang-rt-14-dev

if [ ! -f build-fuzz/build.ninja ]; then
  CXX=clang++ meson setup build-fuzz --buildtype=debugoptimized -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null
fi
echo "building the fuzz targets into build-fuzz/"
ninja -C build-fuzz tests/spec_fuzzer tests/journal_fuzzer >/dev/null

export ASAN_OPTIONS=detect_leaks=0  # Open MPI's start-up leaks by design; the targets do not start it
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p build-fuzz/crashes
status=0
for target in spec journal; do
  corpus="build-fuzz/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzzing the $target target for $seconds s (corpus $corpus, seeds tests/fuzz/corpus/$target)"
  build-fuzz/tests/${target}_fuzzer "$corpus" "tests/fuzz/corpus/$target" -max_total_time="$seconds" -max_len=8192 \
    -timeout=10 -rss_limit_mb=4096 -artifact_prefix="build-fuzz/crashes/$target-" -print_final_stats=1 \
    2> "build-fuzz/$target.log" || status=$?
  grep -E "^stat::(number_of_executed_units|peak_rss_mb|new_units_added)|DONE|ERROR|SUMMARY" "build-fuzz/$target.log" || true
  echo "$target: $(ls "$corpus" | wc -l) inputs in the corpus"
done
exit "$status"
