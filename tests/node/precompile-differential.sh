#!/bin/sh
# Runs precompile-differential.mjs (polyvm's precompiles against @noble/curves and c-kzg) after
# making sure tests/node's npm packages are installed.
# usage: tests/node/precompile-differential.sh <path-to-polyvm> [--cases N] [--seed S] [--only NAMES]
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "precompile-differential.sh: node (Node.js >= 20) is not installed" >&2; exit 2; }
. "$here/ensure-modules.sh"
exec node "$here/precompile-differential.mjs" "$@"
