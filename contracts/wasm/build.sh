#!/usr/bin/env bash
# Builds the example WebAssembly contracts: build.sh OUTDIR [CLANG]
# Each src/<name>.c (but minimal_runtime.c) becomes OUTDIR/<name>.wasm: freestanding wasm32, no
# libc, exporting `user_entrypoint` and `memory`, importing only `vm_hooks` functions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR [CLANG]}
clang=${2:-clang}
mkdir -p "$out"
for src in "$here"/src/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = minimal_runtime ] && continue
  "$clang" --target=wasm32 -O2 -nostdlib -fno-builtin -ffreestanding -Wall -Wextra -Werror \
    -I"$here/include" -Wl,--no-entry -Wl,--export-dynamic -Wl,--strip-all -Wl,-z,stack-size=65536 \
    -Wl,--initial-memory=131072 -Wl,--max-memory=131072 \
    -o "$out/$name.wasm" "$src" "$here/src/minimal_runtime.c"
done
