#!/usr/bin/env bash
# Builds the example WebAssembly contracts: build.sh OUTDIR [CLANG]
# Each src/<name>.c (but minimal_runtime.c) becomes OUTDIR/<name>.wasm: freestanding wasm32, no
# libc, exporting `user_entrypoint` and `memory`, importing only `vm_hooks` functions. Bulk memory
# on: struct copies become one memory.copy instead of a byte loop in memcpy. One page of memory
# (a 32 KiB stack, then the data), which each call pays for.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR [CLANG]}
clang=${2:-clang}
mkdir -p "$out"
for src in "$here"/src/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = minimal_runtime ] && continue
  "$clang" --target=wasm32 -mbulk-memory -O2 -nostdlib -fno-builtin -ffreestanding -Wall -Wextra -Werror \
    -I"$here/include" -Wl,--no-entry -Wl,--export-dynamic -Wl,--strip-all -Wl,-z,stack-size=32768 \
    -Wl,--initial-memory=65536 -Wl,--max-memory=131072 \
    -o "$out/$name.wasm" "$src" "$here/src/minimal_runtime.c"
done
