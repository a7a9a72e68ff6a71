# Sourced by the scripts here: installs tests/node's npm packages (the committed
# package-lock.json) when node_modules is missing, and checks that each package is there.
# Needs $here (this folder). Exits 2 when they cannot be had.
if [ ! -d "$here/node_modules" ]; then
  echo "tests/node: node_modules missing, running npm ci"
  if ! npm ci --prefix "$here" --no-audit --no-fund; then
    echo "tests/node: npm ci failed: cannot run the end-to-end tests" >&2
    exit 2
  fi
fi
for package in ethers viem solc @openzeppelin/contracts @uniswap/v2-core @uniswap/v2-periphery c-kzg @noble/curves; do
  if [ ! -d "$here/node_modules/$package" ]; then
    echo "tests/node: node_modules/$package missing (run npm ci --prefix tests/node)" >&2
    exit 2
  fi
done
