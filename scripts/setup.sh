#!/usr/bin/env bash
# Installs the Debian packages hpopt needs (only those missing) and builds it into build/ (or
# into $build_dir with $meson_options, when the sourcing script sets them).
# Sourced by demo.sh, test.sh and fuzz.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  g++ meson ninja-build pkg-config python3
  nlohmann-json3-dev libfmt-dev libcli11-dev libboost-dev libeigen3-dev libnlopt-cxx-dev doctest-dev
  libopenmpi-dev openmpi-bin zlib1g-dev libhdf5-dev libtorch-dev
  libopenblas0-pthread  # torch trains 16x faster than with reference BLAS here (BENCHMARKS.md)
  dataset-fashion-mnist  # /usr/share/datasets/fashion-mnist, for the training workloads
)

# Installs those of the given Debian packages that are not installed yet.
install_missing() {
  local missing=() package sudo=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  echo "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
install_missing "${packages[@]}"

build_dir="${build_dir:-build}"
meson_options="${meson_options:---buildtype=release}"
if [ ! -f "$build_dir/build.ninja" ]; then
  # shellcheck disable=SC2086  # several options in one variable
  meson setup "$build_dir" $meson_options >/dev/null
fi
echo "building into $build_dir/"
meson compile -C "$build_dir" >/dev/null || meson compile -C "$build_dir"
