// Blob transactions (EIP-4844, type 3) with blobs, commitments and proofs from c-kzg (its bundled
// mainnet trusted setup). On Osaka (the node's default) the network form carries 128 cell proofs
// per blob (EIP-7594, wrapper version 1): ethers 6.17 sends it when blobWrapperVersion is 1 and
// each blob's proof is the concatenated cell proofs (its `kzg` option alone gives one blob
// proof). viem 2.57 only builds the EIP-4844 form (one blob proof): it goes to a second node
// running Prague, and to the Osaka node, which accepts it as geth does (geth converts it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { concat, decodeRlp, encodeRlp, hexlify, parseUnits, sha256, Transaction } from 'ethers';
import { createPublicClient, createWalletClient, http, defineChain, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ethersProvider, localWallet, rpc, rpcRaw, CHAIN_ID, RPC_URL } from '../lib/node.mjs';
import { startNode } from '../lib/spawn-node.mjs';

const require = createRequire(import.meta.url);
const kzg = require('c-kzg');

const provider = ethersProvider();
const GAS_PER_BLOB = 131072n; // 2**17 (EIP-4844)
const BLOB_BASE_FEE_UPDATE_FRACTION = 5007716n; // Prague and Osaka (EIP-7691, EIP-7892 schedule)
const SINK = '0x00000000000000000000000000000000000b10b5';
let prague; // { url, stop }: a node with --fork Prague

// A blob whose 4096 field elements are below the BLS12-381 modulus: the first byte of each
// 32-byte element stays zero, the other 31 carry a counter pattern.
function makeBlob(seed) {
  const blob = new Uint8Array(131072);
  for (let i = 0; i < blob.length; i++) if (i % 32 !== 0) blob[i] = (i * 7 + seed) & 0xff;
  return blob;
}

// EIP-4844: kzg_to_versioned_hash = 0x01 || sha256(commitment)[1:].
const versionedHash = (commitment) => `0x01${sha256(commitment).slice(4)}`;

// EIP-4844 fake_exponential: the blob base fee is fake_exponential(1, excess_blob_gas, fraction).
function fakeExponential(factor, numerator, denominator) {
  let i = 1n;
  let output = 0n;
  let accumulator = factor * denominator;
  while (accumulator > 0n) {
    output += accumulator;
    accumulator = (accumulator * numerator) / (denominator * i);
    i += 1n;
  }
  return output / denominator;
}

before(async () => {
  kzg.loadTrustedSetup(0);
  prague = await startNode(['--fork', 'Prague']);
});
after(async () => prague && prague.stop());

// Receipt, block and transaction of a mined one-blob transaction, checked on the node at `url`.
async function checkMinedBlobTransaction(call, hash, commitment) {
  const receipt = await call('eth_getTransactionReceipt', [hash]);
  assert.equal(receipt.status, '0x1');
  assert.equal(receipt.type, '0x3');
  assert.equal(BigInt(receipt.blobGasUsed), GAS_PER_BLOB);
  const block = await call('eth_getBlockByNumber', [receipt.blockNumber, false]);
  assert.equal(BigInt(block.blobGasUsed), GAS_PER_BLOB);
  assert.equal(BigInt(receipt.blobGasPrice), fakeExponential(1n, BigInt(block.excessBlobGas), BLOB_BASE_FEE_UPDATE_FRACTION));
  const tx = await call('eth_getTransactionByHash', [hash]);
  assert.deepEqual(tx.blobVersionedHashes, [versionedHash(commitment)]);
  assert.ok(BigInt(tx.maxFeePerBlobGas) >= BigInt(receipt.blobGasPrice));
  // One blob is under the target, so the excess stays as it was (here: 0) and the next blob
  // base fee is the minimum, 1 wei.
  assert.equal(BigInt(block.excessBlobGas), 0n);
  assert.equal(BigInt(await call('eth_blobBaseFee')), 1n);
}

test('Osaka: ethers sends an EIP-7594 wrapper (cell proofs); receipt and block carry the blob gas', async () => {
  const wallet = localWallet(3, provider);
  const blob = makeBlob(1);
  const commitment = hexlify(kzg.blobToKzgCommitment(blob));
  const [, cellProofs] = kzg.computeCellsAndKzgProofs(blob);
  assert.equal(cellProofs.length, 128);
  const raw = await wallet.signTransaction(await wallet.populateTransaction({
    type: 3, to: SINK, gasLimit: 21000n, maxFeePerBlobGas: parseUnits('1', 'gwei'), blobWrapperVersion: 1,
    blobs: [{ data: blob, commitment, proof: concat(cellProofs) }],
  }));
  // rlp([tx, 1, blobs, commitments, cell_proofs]) after the type byte (EIP-7594).
  const wrapper = decodeRlp(`0x${raw.slice(4)}`);
  assert.equal(wrapper.length, 5);
  assert.equal(wrapper[1], '0x01');
  assert.equal(wrapper[4].length, 128);
  const response = await provider.broadcastTransaction(raw);
  await response.wait();
  await checkMinedBlobTransaction(rpc, response.hash, commitment);
});

test('Osaka: a wrapper whose commitment does not match the versioned hash is refused', async () => {
  const wallet = localWallet(3);
  const blob = makeBlob(2);
  const commitment = hexlify(kzg.blobToKzgCommitment(blob));
  const other = hexlify(kzg.blobToKzgCommitment(makeBlob(3)));
  const [, cellProofs] = kzg.computeCellsAndKzgProofs(blob);
  const block = await provider.getBlock('latest');
  const tx = Transaction.from({
    type: 3, chainId: CHAIN_ID, nonce: await provider.getTransactionCount(wallet.address, 'pending'), to: SINK, gasLimit: 21000n,
    maxFeePerGas: block.baseFeePerGas * 2n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: parseUnits('1', 'gwei'),
  });
  tx.blobWrapperVersion = 1;
  tx.blobs = [{ data: blob, commitment, proof: concat(cellProofs) }];
  tx.blobVersionedHashes = [versionedHash(other)]; // signed over the hash of another commitment
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  const reply = await rpcRaw('eth_sendRawTransaction', [tx.serialized]);
  assert.ok(reply.error, `accepted: ${JSON.stringify(reply)}`);
  assert.match(reply.error.message, /commitment|versioned hash/i);
});

// A one-blob transaction whose sidecar carries `proofs` (cell proofs with blobWrapperVersion 1,
// else one blob proof), signed correctly over the blob's own commitment.
async function sendWithProofs(blob, proofs, blobWrapperVersion, editWrapper = (wrapper) => wrapper) {
  const wallet = localWallet(3);
  const commitment = hexlify(kzg.blobToKzgCommitment(blob));
  const block = await provider.getBlock('latest');
  const tx = Transaction.from({
    type: 3, chainId: CHAIN_ID, nonce: await provider.getTransactionCount(wallet.address, 'pending'), to: SINK, gasLimit: 21000n,
    maxFeePerGas: block.baseFeePerGas * 2n, maxPriorityFeePerGas: 1n, maxFeePerBlobGas: parseUnits('1', 'gwei'),
  });
  if (blobWrapperVersion) tx.blobWrapperVersion = blobWrapperVersion;
  tx.blobs = [{ data: blob, commitment, proof: concat(proofs) }];
  tx.blobVersionedHashes = [versionedHash(commitment)];
  tx.signature = wallet.signingKey.sign(tx.unsignedHash);
  // The network form after the type byte, edited as the caller asks.
  const wrapper = editWrapper(decodeRlp(`0x${tx.serialized.slice(4)}`));
  return rpcRaw('eth_sendRawTransaction', [`0x03${encodeRlp(wrapper).slice(2)}`]);
}

test('Osaka: cell proofs that do not verify are refused (two swapped, or another blob\'s)', async () => {
  const blob = makeBlob(6);
  const [, cellProofs] = kzg.computeCellsAndKzgProofs(blob);
  const swapped = [...cellProofs];
  [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
  let reply = await sendWithProofs(blob, swapped, 1);
  assert.ok(reply.error, `accepted: ${JSON.stringify(reply)}`);
  assert.match(reply.error.message, /KZG proof does not verify/);
  const [, otherProofs] = kzg.computeCellsAndKzgProofs(makeBlob(7));
  reply = await sendWithProofs(blob, otherProofs, 1);
  assert.match(reply.error?.message ?? '', /KZG proof does not verify/);
  // Too few proofs for the blob's 128 cells (the last one dropped from the wrapper).
  reply = await sendWithProofs(blob, cellProofs, 1, (wrapper) => [...wrapper.slice(0, 4), wrapper[4].slice(0, 127)]);
  assert.match(reply.error?.message ?? '', /127 proofs, expected 128/);
});

test('Osaka: a blob proof that does not verify is refused; the right one is accepted', async () => {
  const blob = makeBlob(8);
  const commitment = kzg.blobToKzgCommitment(blob);
  const otherBlob = makeBlob(9);
  const wrongProof = kzg.computeBlobKzgProof(otherBlob, kzg.blobToKzgCommitment(otherBlob));
  const reply = await sendWithProofs(blob, [wrongProof]);
  assert.ok(reply.error, `accepted: ${JSON.stringify(reply)}`);
  assert.match(reply.error.message, /KZG proof does not verify/);
  const accepted = await sendWithProofs(blob, [kzg.computeBlobKzgProof(blob, commitment)]);
  assert.ok(accepted.result, JSON.stringify(accepted));
  const receipt = await provider.waitForTransaction(accepted.result);
  assert.equal(receipt.status, 1);
});

// Sends a one-blob transaction built by viem to the node at `url`; checks the EIP-4844 form.
async function sendWithViem(url, seed) {
  const chain = defineChain({ id: Number(CHAIN_ID), name: 'polyvm', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [url] } } });
  const account = privateKeyToAccount(localWallet(3).privateKey);
  const walletClient = createWalletClient({ chain, transport: http(url), account });
  const publicClient = createPublicClient({ chain, transport: http(url), pollingInterval: 50 });
  const blob = makeBlob(seed);
  const request = await walletClient.prepareTransactionRequest({
    blobs: [toHex(blob)], kzg, to: SINK, gas: 21000n, maxFeePerBlobGas: parseUnits('1', 'gwei'),
  });
  const raw = await walletClient.signTransaction(request);
  // rlp([tx, blobs, commitments, proofs]) after the type byte (EIP-4844): one proof per blob.
  const wrapper = decodeRlp(`0x${raw.slice(4)}`);
  assert.equal(wrapper.length, 4);
  assert.equal(wrapper[3].length, 1);
  const hash = await walletClient.sendRawTransaction({ serializedTransaction: raw });
  await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const call = (method, params = []) => publicClient.request({ method, params });
  await checkMinedBlobTransaction(call, hash, hexlify(kzg.blobToKzgCommitment(blob)));
}

test('Prague node: viem sends an EIP-4844 wrapper (blob proof); receipt and block carry the blob gas', async () => {
  await sendWithViem(prague.url, 4);
});

test('Osaka: viem\'s EIP-4844 wrapper is accepted too (geth converts legacy sidecars, go-ethereum PR 32849)', async () => {
  await sendWithViem(RPC_URL, 5);
});
