// Compiles the test contracts once with solc-js (the npm package's bundled soljson, so nothing is
// downloaded) and caches the artifacts in POLYVM_E2E_CACHE, keyed by a hash of the sources.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = join(here, '..', 'contracts');
const nodeModules = join(here, '..', 'node_modules');

// Osaka is the node's default fork; Cancun bytecode (MCOPY, transient storage) runs on it and
// every solc >= 0.8.24 knows the name.
const EVM_VERSION = 'cancun';

function sources() {
  const out = {};
  for (const name of readdirSync(contractsDir).filter((f) => f.endsWith('.sol')).sort()) {
    out[name] = { content: readFileSync(join(contractsDir, name), 'utf8') };
  }
  return out;
}

function findImport(path) {
  const file = join(nodeModules, path);
  if (existsSync(file)) return { contents: readFileSync(file, 'utf8') };
  return { error: `import not found: ${path}` };
}

function compile(input) {
  const solc = require('solc');
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const artifacts = {};
  for (const [file, contracts] of Object.entries(output.contracts)) {
    if (file.startsWith('@openzeppelin')) continue;
    for (const [name, c] of Object.entries(contracts)) {
      artifacts[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return { solcVersion: solc.version(), artifacts };
}

// Returns { TestToken: { abi, bytecode }, ... }.
export function loadContracts() {
  const input = {
    language: 'Solidity',
    sources: sources(),
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const key = createHash('sha256').update(JSON.stringify(input)).update(require('solc/package.json').version).digest('hex');
  const cacheDir = process.env.POLYVM_E2E_CACHE ?? join(tmpdir(), 'polyvm-e2e-contracts');
  mkdirSync(cacheDir, { recursive: true });
  const cacheFile = join(cacheDir, `${key.slice(0, 16)}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')).artifacts;
  const compiled = compile(input);
  // Write then rename, so a reader never sees half a file.
  writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify(compiled));
  renameSync(`${cacheFile}.${process.pid}`, cacheFile);
  return compiled.artifacts;
}

// `node lib/contracts.mjs` fills the cache before the tests start.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const artifacts = loadContracts();
  console.log(`contracts ready: ${Object.keys(artifacts).join(', ')} (${Date.now() - t0} ms)`);
}
