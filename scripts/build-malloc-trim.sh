#!/usr/bin/env bash
# Compile the forecast service's malloc_trim addon (apps/forecast-service/native/malloc-trim).
# Idempotent: skips when the addon exists and is newer than its sources. Optional at run time:
# without it the service runs as before and does not return freed memory after a load peak.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/apps/forecast-service/native/malloc-trim"
addon="$dir/build/Release/malloc_trim.node"
if [ -f "$addon" ] && [ "$addon" -nt "$dir/binding.gyp" ] && [ "$addon" -nt "$dir/malloc_trim.c" ]; then
  exit 0
fi
# Headers come from the local Node install (nodedir), never from the internet.
nodedir=$(node -p "require('path').resolve(process.execPath, '../..')")
echo "build-malloc-trim: compiling (nodedir=$nodedir)"
(cd "$dir" && "$root/node_modules/.bin/node-gyp" rebuild --nodedir="$nodedir" -j 2 >/tmp/malloc-trim-build.log 2>&1) \
  || { tail -40 /tmp/malloc-trim-build.log >&2; echo "build-malloc-trim: compile failed (full log /tmp/malloc-trim-build.log)" >&2; exit 1; }
node -e "if (typeof require('$addon').mallocTrim !== 'function') process.exit(1)" && echo "build-malloc-trim: ok"
