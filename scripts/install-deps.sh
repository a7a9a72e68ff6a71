#!/usr/bin/env bash
# Installs the Debian packages polyvm needs, skipping those already present.
# Only Debian's apt repositories are used (see DEVELOPERS.md: nothing else is downloaded).
set -euo pipefail

packages=(
  cmake g++ ninja-build pkg-config ccache
  libsecp256k1-dev libgmp-dev libssl-dev
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liblmdb-dev libjemalloc-dev libbrotli-dev zlib1g-dev
  libboost-dev wrk
  python3
  clang libclang-rt-14-dev lld
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm for the node's end-to-end tests (ethers, viem, solc-js from npm with the
# committed tests/node/package-lock.json). A Node.js installed another way (e.g. with npm bundled)
# is used as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm libnode-dev)  # libnode-dev: headers for node-gyp (c-kzg)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
