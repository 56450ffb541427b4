#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: installs only what is missing.
#   1. Debian packages: libfaiss-dev (native index), fonts-dejavu-core (chart text), Slurm + munge
#      (the cluster integration test), chromium (the report.html browser test), prometheus
#      (the forecast service's controller test starts one on a free loopback port), python3-torch
#      and libopenblas0-pthread (the v2 model's PyTorch trainer and its export test), python3-onnx
#      (the int8 quantiser and its test).
#   2. The locked npm dependencies with install scripts off (faiss-node's script clones GitHub,
#      which is unreachable), skipped when node_modules already matches package-lock.json.
#   3. faiss-node compiled against the system libfaiss; the forecast service's malloc_trim addon.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

apt_pkgs=()
dpkg -s libfaiss-dev >/dev/null 2>&1 || apt_pkgs+=(libfaiss-dev)
# Charts render text with DejaVu Sans (resvg finds no other font by name here).
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || apt_pkgs+=(fonts-dejavu-core)
# The runner's Slurm integration test starts a single-node Slurm (scripts/slurm-local.sh).
for pkg in slurmctld slurmd slurm-client munge; do
  dpkg -s "$pkg" >/dev/null 2>&1 || apt_pkgs+=("$pkg")
done
# The report.html test opens the page in headless Chromium (playwright-core drives the Debian
# build at /usr/bin/chromium; `npx playwright install` would download one and fails offline).
dpkg -s chromium >/dev/null 2>&1 || apt_pkgs+=(chromium)
# Prometheus 2.42 (Debian bookworm): installed without its recommended node exporter, which would
# start a daemon on :9100 where services are started by the package manager. The test starts its
# own Prometheus and never uses the packaged service.
no_recommends=()
dpkg -s prometheus >/dev/null 2>&1 || no_recommends+=(prometheus)
# The v2 default model is trained by PyTorch from Debian (packages/pretrain/python, run with
# /usr/bin/python3); OpenBLAS makes its single-thread matrix products ~7x faster than the
# reference BLAS (and becomes libfaiss's BLAS too). Without recommends: torch's pull in a desktop.
# python3-onnx: the int8 quantiser of the default model (python/tsfm_v2/quantize.py, npm run quantize).
for pkg in python3-torch libopenblas0-pthread python3-onnx; do
  dpkg -s "$pkg" >/dev/null 2>&1 || no_recommends+=("$pkg")
done
if [ ${#apt_pkgs[@]} -gt 0 ] || [ ${#no_recommends[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  if [ ${#apt_pkgs[@]} -gt 0 ]; then
    echo "setup: apt-get install ${apt_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
  fi
  if [ ${#no_recommends[@]} -gt 0 ]; then
    echo "setup: apt-get install --no-install-recommends ${no_recommends[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${no_recommends[@]}" >/dev/null
  fi
fi

stamp=node_modules/.setup-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm install (locked)"
  # npm ci refuses this lockfile: the registry mirror here lacks some optional platform
  # packages (e.g. @nx/nx-darwin-arm64@24), so the lock cannot list them. npm install with
  # --no-save installs exactly the locked versions and leaves tracked files untouched.
  npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

bash scripts/build-faiss-node.sh
bash scripts/build-malloc-trim.sh
