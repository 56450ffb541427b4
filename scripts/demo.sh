#!/usr/bin/env bash
# The README's main command: a full offline autoresearch run on the embedded defaults
# (offline planner, the shipped default model, the synthetic fleet), then the reports.
# Idempotent: a finished workdir is reported again; an interrupted one resumes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
workdir=${DEMO_WORKDIR:-workdirs/demo-run}
max_experiments=${DEMO_MAX_EXPERIMENTS:-24}
run() { node --import tsx apps/runner/src/run.ts "$@"; }

if [ -f "$workdir/config.json" ]; then
  echo "demo: resuming $workdir (delete it for a fresh run)"
  run "$workdir"
else
  run "$workdir" --planner offline --max-experiments "$max_experiments" --patience 3 --concurrency 2 --max-hours 0.25
fi
run report "$workdir" --html
echo
cat "$workdir/summary.md"
echo
echo "demo: outputs in $workdir: summary.md report.md report.html progress.png hypothesis_tree.png results.tsv master_table.tsv"
