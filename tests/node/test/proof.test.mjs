// eth_getProof (EIP-1186) checked against the block's stateRoot by a Merkle-Patricia verifier
// written in the test (lib/trie-proof.mjs), not by trusting the node's own summary fields.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256, toBeHex, zeroPadValue, concat, decodeRlp, encodeRlp, getBytes } from 'ethers';
import { ethersProvider, deploy, rpc, ACCOUNT0 } from '../lib/node.mjs';
import { verifyAccountProof, verifyStorageProof, verifyTrieProof, EMPTY_TRIE_ROOT } from '../lib/trie-proof.mjs';

const provider = ethersProvider();
const SUPPLY = 123456789n * 10n ** 18n;
const EMPTY_CODE_HASH = keccak256('0x');
// OpenZeppelin 5 ERC20 storage layout: _balances at slot 0, _allowances at 1, _totalSupply at 2.
const TOTAL_SUPPLY_SLOT = 2n;
const balanceSlot = (holder) => BigInt(keccak256(concat([zeroPadValue(holder, 32), toBeHex(0n, 32)])));
// Storage keys as short hex numbers; the 32-byte form has its own test below.
const quantity = (n) => `0x${BigInt(n).toString(16)}`;
let token;
let blockTag;
let stateRoot;

before(async () => {
  token = await deploy(await provider.getSigner(ACCOUNT0), 'TestToken', SUPPLY);
  const block = await rpc('eth_getBlockByNumber', ['latest', false]);
  blockTag = block.number;
  stateRoot = block.stateRoot;
});

async function accountAgainstNode(address) {
  const [balance, nonce, code] = await Promise.all([
    provider.getBalance(address, blockTag), provider.getTransactionCount(address, blockTag), provider.getCode(address, blockTag),
  ]);
  return { balance, nonce: BigInt(nonce), codeHash: keccak256(code) };
}

test('an EOA proof leads from the stateRoot to its [nonce, balance, storageHash, codeHash]', async () => {
  const proof = await rpc('eth_getProof', [ACCOUNT0, [], blockTag]);
  const account = verifyAccountProof(stateRoot, ACCOUNT0, proof.accountProof);
  assert.ok(account, 'the proof shows the account as absent');
  const expected = await accountAgainstNode(ACCOUNT0);
  assert.equal(account.nonce, expected.nonce);
  assert.equal(account.balance, expected.balance);
  assert.equal(account.codeHash, EMPTY_CODE_HASH);
  assert.equal(account.storageHash, EMPTY_TRIE_ROOT);
  // The summary fields of the reply agree with the proven leaf.
  assert.equal(BigInt(proof.balance), account.balance);
  assert.equal(BigInt(proof.nonce), account.nonce);
  assert.equal(proof.codeHash, account.codeHash);
  assert.equal(proof.storageHash, account.storageHash);
});

test('a contract proof and its storage proofs (balance and totalSupply slots) verify against storageHash', async () => {
  const address = await token.getAddress();
  const slots = [balanceSlot(ACCOUNT0), TOTAL_SUPPLY_SLOT].map(quantity);
  const proof = await rpc('eth_getProof', [address, slots, blockTag]);
  const account = verifyAccountProof(stateRoot, address, proof.accountProof);
  assert.ok(account, 'the proof shows the contract as absent');
  const expected = await accountAgainstNode(address);
  assert.equal(account.nonce, 1n); // EIP-161: a contract starts at nonce 1
  assert.equal(account.balance, expected.balance);
  assert.equal(account.codeHash, expected.codeHash);
  assert.notEqual(account.storageHash, EMPTY_TRIE_ROOT);
  assert.equal(proof.storageProof.length, 2);
  for (const [i, slot] of slots.entries()) {
    const entry = proof.storageProof[i];
    assert.equal(BigInt(entry.key), BigInt(slot));
    const proven = verifyStorageProof(account.storageHash, slot, entry.proof);
    assert.equal(proven, BigInt(await provider.getStorage(address, slot, blockTag)), `slot ${slot}`);
    assert.equal(BigInt(entry.value), proven);
  }
  // The slots hold what the token reports, so the layout assumption is right.
  assert.equal(verifyStorageProof(account.storageHash, slots[0], proof.storageProof[0].proof), SUPPLY);
  assert.equal(verifyStorageProof(account.storageHash, slots[1], proof.storageProof[1].proof), SUPPLY);
});

test('storage keys in the 32-byte form (EIP-1186 DATA, what ethers and viem send) are accepted', async () => {
  // geth decodes each key as a hash, left-padded: "0x02" and the 32-byte form name the same slot.
  const address = await token.getAddress();
  const proof = await rpc('eth_getProof', [address, [toBeHex(TOTAL_SUPPLY_SLOT, 32)], blockTag]);
  const { storageHash } = verifyAccountProof(stateRoot, address, proof.accountProof);
  assert.equal(verifyStorageProof(storageHash, TOTAL_SUPPLY_SLOT, proof.storageProof[0].proof), SUPPLY);
});

test('an empty storage slot is proven absent (value 0)', async () => {
  const address = await token.getAddress();
  const slot = 0xdead_beefn;
  const proof = await rpc('eth_getProof', [address, [quantity(slot)], blockTag]);
  const { storageHash } = verifyAccountProof(stateRoot, address, proof.accountProof);
  assert.equal(verifyTrieProof(storageHash, keccak256(toBeHex(slot, 32)), proof.storageProof[0].proof), null);
  assert.equal(BigInt(proof.storageProof[0].value), 0n);
});

test('an absent account is proven absent: the path ends without its key', async () => {
  const absent = '0x00000000000000000000000000000000dec0de01';
  assert.equal(await provider.getBalance(absent, blockTag), 0n);
  const proof = await rpc('eth_getProof', [absent, [], blockTag]);
  assert.ok(proof.accountProof.length > 0);
  assert.equal(verifyAccountProof(stateRoot, absent, proof.accountProof), null);
  // geth reports an absent account with zero fields, the empty code hash and the empty root.
  assert.equal(BigInt(proof.balance), 0n);
  assert.equal(BigInt(proof.nonce), 0n);
  assert.equal(proof.codeHash, EMPTY_CODE_HASH);
  assert.equal(proof.storageHash, EMPTY_TRIE_ROOT);
});

test('the verifier rejects a tampered proof and a proof against another root', async () => {
  const proof = await rpc('eth_getProof', [ACCOUNT0, [], blockTag]);
  const last = proof.accountProof.length - 1;
  // Change the balance inside the leaf: the leaf no longer hashes to its parent's reference.
  const leaf = decodeRlp(proof.accountProof[last]);
  const account = decodeRlp(leaf[1]);
  account[1] = toBeHex(BigInt(account[1]) + 1n);
  const tampered = [...proof.accountProof.slice(0, last), encodeRlp([leaf[0], encodeRlp(account)])];
  assert.throws(() => verifyAccountProof(stateRoot, ACCOUNT0, tampered), /does not hash/);
  assert.throws(() => verifyAccountProof(keccak256('0x01'), ACCOUNT0, proof.accountProof), /does not hash/);
});

test('an older block\'s proof verifies against that block\'s stateRoot', async () => {
  // Move the chain on, then prove ACCOUNT0 at the earlier block: its balance was different.
  const signer = await provider.getSigner(ACCOUNT0);
  await (await signer.sendTransaction({ to: '0x00000000000000000000000000000000dec0de02', value: 5n })).wait();
  const proof = await rpc('eth_getProof', [ACCOUNT0, [], blockTag]);
  const account = verifyAccountProof(stateRoot, ACCOUNT0, proof.accountProof);
  assert.equal(account.balance, (await accountAgainstNode(ACCOUNT0)).balance);
  assert.notEqual(account.balance, await provider.getBalance(ACCOUNT0, 'latest'));
});

test('the verifier follows extension nodes and embedded (< 32 byte) nodes of a hand-built trie', () => {
  // Keys 0xab12 and 0xab13 (unhashed): an extension "ab" -> branch B (by hash) -> at nibble 1 a
  // branch I embedded in B (22 bytes) -> at nibbles 2 and 3 leaves with no path left (embedded).
  const leaf = (value) => ['0x20', value]; // hex prefix 0x20: leaf, even length, no nibbles
  const inner = Array(17).fill('0x');
  inner[2] = leaf('0x05');
  inner[3] = leaf('0x06');
  assert.ok(getBytes(encodeRlp(inner)).length < 32);
  const branch = Array(17).fill('0x');
  branch[1] = inner;
  const branchRlp = encodeRlp(branch);
  const extension = encodeRlp(['0x00ab', keccak256(branchRlp)]); // hex prefix 0x00: extension, even
  const root = keccak256(extension);
  const proof = [extension, branchRlp];
  assert.equal(verifyTrieProof(root, '0xab12', proof), '0x05');
  assert.equal(verifyTrieProof(root, '0xab13', proof), '0x06');
  assert.equal(verifyTrieProof(root, '0xab14', proof), null); // empty child of I
  assert.equal(verifyTrieProof(root, '0xac12', [extension]), null); // the extension leads elsewhere
  assert.throws(() => verifyTrieProof(root, '0xac12', proof), /off the key's path/);
  assert.throws(() => verifyTrieProof(root, '0xab12', [extension]), /proof ends/);
});
