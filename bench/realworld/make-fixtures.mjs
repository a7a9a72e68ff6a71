// Makes the real-contract benchmarks (bench/realworld/main/*.json): state tests in the format of
// ../shared/fixtures/bench (the code under test at `transaction.to`, one input per `data` entry,
// named by `_info.labels`), so that `polyvm bench` and evmone-bench run them side by side
// (bench/side-by-side.sh --fixtures bench/realworld). The code is contracts/*.sol compiled by
// solc-js with OpenZeppelin Contracts from tests/node/package-lock.json (evmVersion london:
// evmone-bench runs pre-Shanghai code). evmone-bench executes the code over an empty state with
// no other contracts, so every input makes the state it works on inside the call, and the pre-state
// here holds only the sender and the contract. Run from the repository root after `npm ci` in
// tests/node:
//   node bench/realworld/make-fixtures.mjs && python3 bench/realworld/fill-hashes.py
// The tests are written with the post-state root and logs hash left empty; fill-hashes.py takes
// those from evmone-statetest, the reference, and checks that polyvm statetest agrees.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = resolve(here, '..', '..', 'tests', 'node', 'node_modules');
const require = createRequire(join(nodeModules, 'noop.js'));
const { ethers } = require('ethers');
const solc = require('solc');
const { p256 } = require('@noble/curves/p256');  // viem's dependency: RFC 6979 (deterministic) P-256 signatures
const { createPublicKey, verify: nodeVerify } = require('node:crypto');

const FORK = 'London';  // as ../shared/fixtures/bench
const SECRET_KEY = '0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8';  // the state tests' sender
const SENDER = '0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b';
const CONTRACT = '0x00000000000000000000000000000000b3c40001';
const GAS_LIMIT = 30_000_000n;

function compile() {
  const sources = {};
  for (const name of ['AmmPools.sol', 'BenchNft.sol', 'BenchTokens.sol', 'P256Verifier.sol', 'Workloads.sol'])
    sources[name] = { content: readFileSync(join(here, 'contracts', name), 'utf8') };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'london',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.deployedBytecode.object'] } },
    },
  };
  const findImport = (path) => {
    try { return { contents: readFileSync(join(nodeModules, path), 'utf8') }; } catch { return { error: `not found: ${path}` }; }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const artifacts = {};
  for (const [file, contracts] of Object.entries(output.contracts)) {
    if (file.startsWith('@openzeppelin')) continue;
    for (const [name, c] of Object.entries(contracts)) artifacts[name] = { abi: c.abi, code: `0x${c.evm.deployedBytecode.object}` };
  }
  return { artifacts, version: solc.version() };
}

/// A proof for leaf `index` of a tree of `leaves`, hashed as OpenZeppelin's MerkleProof expects
/// (sorted pairs).
function merkleProof(leaves, index) {
  const hashPair = (a, b) => (BigInt(a) < BigInt(b) ? ethers.keccak256(ethers.concat([a, b])) : ethers.keccak256(ethers.concat([b, a])));
  const proof = [];
  let level = leaves;
  for (let i = index; level.length > 1; i >>= 1) {
    proof.push(level[i ^ 1]);
    const next = [];
    for (let j = 0; j < level.length; j += 2) next.push(hashPair(level[j], level[j + 1]));
    level = next;
  }
  return { proof, root: level[0], leaf: leaves[index] };
}

/// Four P-256 signatures by one key (RFC 6979 nonces, so the fixture is the same on every run),
/// each checked by OpenSSL through node:crypto; the last one's digest is then changed, so the
/// contract must find 3 of the 4 valid.
function p256Signatures() {
  const secret = ethers.getBytes(ethers.keccak256(ethers.toUtf8Bytes('polyvm p256 bench key')));
  const publicKey = p256.getPublicKey(secret, false);  // 0x04 || x || y
  const qx = BigInt(ethers.hexlify(publicKey.slice(1, 33)));
  const qy = BigInt(ethers.hexlify(publicKey.slice(33, 65)));
  const jwk = { kty: 'EC', crv: 'P-256', x: Buffer.from(publicKey.slice(1, 33)).toString('base64url'),
    y: Buffer.from(publicKey.slice(33, 65)).toString('base64url') };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const digests = [], rs = [], ss = [];
  for (let i = 0; i < 4; ++i) {
    const message = ethers.toUtf8Bytes(`passkey assertion ${i}`);
    const digest = ethers.sha256(message);
    const signature = p256.sign(ethers.getBytes(digest), secret, { lowS: false });
    const ieee = ethers.getBytes(ethers.concat([ethers.toBeHex(signature.r, 32), ethers.toBeHex(signature.s, 32)]));
    if (!nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, ieee)) throw new Error(`signature ${i} does not verify`);
    digests.push(i === 3 ? ethers.keccak256(digest) : digest);
    rs.push(signature.r);
    ss.push(signature.s);
  }
  return [digests, rs, ss, qx, qy];
}

const { artifacts, version } = compile();
const coder = ethers.AbiCoder.defaultAbiCoder();
const leaves = Array.from({ length: 1 << 16 }, (_, i) => ethers.keccak256(coder.encode(['uint256'], [i])));
const { proof, root, leaf } = merkleProof(leaves, 12345);
const orders = Array.from({ length: 32 }, (_, i) => [
  ethers.getAddress(ethers.toBeHex(i + 1, 20)), BigInt(i) * 10n ** 18n, 1_700_000_000 + i,
  Array.from({ length: (i % 4) + 1 }, (_, j) => ethers.keccak256(ethers.toBeHex(i * 16 + j, 32))), `order ${i}`]);

// file -> [contract, [label, function, arguments, expected result (optional)]...]. An expected
// result goes into _info.expected_outputs, which fill-hashes.py checks with `polyvm run`.
const files = {
  erc721: ['BenchNft', [['mint_trade_burn_64', 'mintTradeBurn', [64], [5n]]]],
  p256: ['P256Verifier', [['verify_4', 'verifyMany', p256Signatures(), [3n]]]],
  erc20: ['BenchToken', [['transfers_100', 'transfers', [100]], ['approve_pull_50', 'approvePull', [50]]]],
  uniswap_v2: ['AmmPools', [['swaps_1_pool_20', 'swapRoutes', [20, 1]], ['swaps_route_3_pools_20', 'swapRoutes', [20, 3]]]],
  merkle: ['Workloads', [['tree_of_256', 'merkleTree', [256]], ['proof_of_depth_16', 'verifyProof', [proof, root, leaf]]]],
  sorting: ['Workloads', [['quicksort_100', 'sortNumbers', [100, 7]], ['quicksort_1000', 'sortNumbers', [1000, 7]]]],
  fixed_point_math: ['Workloads', [['modinv_32', 'modularInverses', [32, 11]], ['muldiv_sqrt_log_100', 'fixedPoint', [100, 13]]]],
  abi_codec: ['Workloads', [['round_trip_32', 'abiRoundTrip', [32]],
    ['decode_32', 'decodeOrders', [coder.encode(['tuple(address,uint256,uint64,bytes32[],string)[]'], [orders])]]]],
};

const outDir = join(here, 'main');
mkdirSync(outDir, { recursive: true });
for (const [name, [contract, calls]] of Object.entries(files)) {
  const artifact = artifacts[contract];
  const iface = new ethers.Interface(artifact.abi);
  const data = calls.map(([, method, args]) => iface.encodeFunctionData(method, args));
  const test = {
    [name]: {
      _info: {
        comment: `${contract} of bench/realworld/contracts, made by bench/realworld/make-fixtures.mjs (solc ${version})`,
        labels: Object.fromEntries(calls.map(([label], i) => [String(i), label])),
        ...(calls.some((call) => call[3]) && {
          expected_outputs: Object.fromEntries(calls.flatMap(([, method, , result], i) =>
            result ? [[String(i), iface.encodeFunctionResult(method, result)]] : [])),
        }),
      },
      env: {
        currentBaseFee: '0x01', currentCoinbase: '0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba', currentDifficulty: '0x020000',
        currentGasLimit: '0x' + (GAS_LIMIT * 2n).toString(16), currentNumber: '0x01',
        currentRandom: '0x0000000000000000000000000000000000000000000000000000000000000001', currentTimestamp: '0x03e8',
      },
      pre: {
        [SENDER]: { balance: '0xffffffffffffffffffff', code: '0x', nonce: '0x00', storage: {} },
        [CONTRACT]: { balance: '0x00', code: artifact.code, nonce: '0x01', storage: {} },
      },
      transaction: {
        data, gasLimit: ['0x' + GAS_LIMIT.toString(16)], gasPrice: '0x0a', nonce: '0x00',
        secretKey: SECRET_KEY, sender: SENDER, to: CONTRACT, value: ['0x00'],
      },
      post: {
        [FORK]: data.map((_, i) => ({ hash: '0x' + '00'.repeat(32), logs: '0x' + '00'.repeat(32), indexes: { data: i, gas: 0, value: 0 } })),
      },
    },
  };
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(test, null, 1) + '\n');
  console.log(`${name}.json: ${calls.map(([label]) => label).join(', ')}`);
}
