#!/usr/bin/env bash
# Compile faiss-node's native binding against the system libfaiss (see tools/faiss-node).
# Idempotent: skips when the addon exists and is newer than our build recipe.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pkg="$root/node_modules/faiss-node"
addon="$pkg/build/Release/faiss-node.node"
[ -d "$pkg" ] || { echo "build-faiss-node: $pkg missing; run npm ci first" >&2; exit 1; }
if [ -f "$addon" ] && [ "$addon" -nt "$root/tools/faiss-node/binding.gyp" ] \
   && [ "$addon" -nt "$root/tools/faiss-node/faiss-compat.h" ]; then
  exit 0
fi
cp "$root/tools/faiss-node/binding.gyp" "$root/tools/faiss-node/faiss-compat.h" "$pkg/"
# Headers come from the local Node install (nodedir), never from the internet.
nodedir=$(node -p "require('path').resolve(process.execPath, '../..')")
echo "build-faiss-node: compiling against system libfaiss (nodedir=$nodedir)"
(cd "$pkg" && "$root/node_modules/.bin/node-gyp" rebuild --nodedir="$nodedir" -j 2 >/tmp/faiss-node-build.log 2>&1) \
  || { tail -40 /tmp/faiss-node-build.log >&2; echo "build-faiss-node: compile failed (full log /tmp/faiss-node-build.log)" >&2; exit 1; }
node -e "require('$pkg')" && echo "build-faiss-node: ok"
