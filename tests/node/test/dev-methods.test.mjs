// Anvil-style development methods: evm_snapshot/evm_revert, time, anvil_set*, impersonation,
// anvil_mine, automine off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEther, zeroPadValue } from 'ethers';

// A JSON-RPC quantity: no leading zeros (geth rejects them; ethers' toBeHex pads to whole bytes).
const quantity = (n) => `0x${BigInt(n).toString(16)}`;
import { ethersProvider, rpc, ACCOUNT0, ACCOUNT1, localWallet } from '../lib/node.mjs';

const provider = ethersProvider();
const FRESH = '0x00000000000000000000000000000000c0ffee01';

test('evm_snapshot / evm_revert restore balances and the block number', async () => {
  const snapshot = await rpc('evm_snapshot');
  const blockBefore = await provider.getBlockNumber();
  const [b0, b1] = await Promise.all([provider.getBalance(ACCOUNT0), provider.getBalance(ACCOUNT1)]);
  const signer = await provider.getSigner(ACCOUNT0);
  await (await signer.sendTransaction({ to: ACCOUNT1, value: parseEther('3') })).wait();
  assert.equal(await provider.getBlockNumber(), blockBefore + 1);
  assert.equal(await rpc('evm_revert', [snapshot]), true);
  assert.equal(await provider.getBlockNumber(), blockBefore);
  assert.equal(await provider.getBalance(ACCOUNT0), b0);
  assert.equal(await provider.getBalance(ACCOUNT1), b1);
  // A snapshot is used up by reverting to it (as in Anvil and Hardhat).
  assert.equal(await rpc('evm_revert', [snapshot]), false);
});

test('evm_increaseTime + evm_mine move the next block timestamp', async () => {
  const before = (await provider.getBlock('latest')).timestamp;
  const offset = await rpc('evm_increaseTime', [3600]);
  // The total offset, a JSON number as Anvil gives it.
  assert.equal(typeof offset, 'number');
  assert.ok(offset >= 3600, `offset ${offset} after evm_increaseTime(3600)`);
  await rpc('evm_mine');
  const now = Math.floor(Date.now() / 1000);
  const after = (await provider.getBlock('latest')).timestamp;
  // Automined blocks may run a few seconds ahead of the clock (each at least parent + 1), so
  // compare with the wall clock as well as with the previous block.
  assert.ok(after >= now + 3600 - 2, `timestamp ${after} is not an hour past the clock ${now}`);
  assert.ok(after - before > 3000 && after - before < 3600 + 60, `timestamp moved by ${after - before}`);
});

test('evm_mine with a timestamp sets that block timestamp', async () => {
  const before = (await provider.getBlock('latest')).timestamp;
  const target = before + 100000;
  await rpc('evm_mine', [target]);
  assert.equal((await provider.getBlock('latest')).timestamp, target);
});

test('evm_increaseTime still moves time after evm_mine with a timestamp (as in Anvil)', async () => {
  // Anvil continues from an exact timestamp: the offset is reset to it, so later increases count.
  const before = (await provider.getBlock('latest')).timestamp;
  await rpc('evm_mine', [before + 50000]);
  await rpc('evm_increaseTime', [3600]);
  await rpc('evm_mine');
  const after = (await provider.getBlock('latest')).timestamp;
  const moved = after - (before + 50000);
  assert.ok(moved >= 3600 && moved < 3600 + 60, `timestamp moved by ${moved} after evm_increaseTime(3600)`);
});

test('anvil_setBalance, anvil_setCode, anvil_setStorageAt, anvil_setNonce are visible through the getters', async () => {
  await rpc('anvil_setBalance', [FRESH, quantity(parseEther('123'))]);
  assert.equal(await provider.getBalance(FRESH), parseEther('123'));
  // PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns 42.
  const code = '0x602a60005260206000f3';
  await rpc('anvil_setCode', [FRESH, code]);
  assert.equal(await provider.getCode(FRESH), code);
  assert.equal(BigInt(await provider.call({ to: FRESH })), 42n);
  const value = zeroPadValue('0xbeef', 32);
  await rpc('anvil_setStorageAt', [FRESH, '0x7', value]);
  assert.equal(await provider.getStorage(FRESH, 7), value);
  await rpc('anvil_setNonce', [FRESH, '0x2a']);
  assert.equal(await provider.getTransactionCount(FRESH), 42);
});

test('eth_getStorageAt accepts a 32-byte zero-padded slot (as geth does)', async () => {
  const value = zeroPadValue('0x0bad', 32);
  await rpc('anvil_setStorageAt', [FRESH, '0x9', value]);
  assert.equal(await rpc('eth_getStorageAt', [FRESH, zeroPadValue('0x09', 32), 'latest']), value);
});

test('anvil_impersonateAccount lets eth_sendTransaction send from an arbitrary address', async () => {
  const stranger = '0x00000000000000000000000000000000c0ffee02';
  await rpc('anvil_setBalance', [stranger, quantity(parseEther('5'))]);
  await rpc('anvil_impersonateAccount', [stranger]);
  const hash = await rpc('eth_sendTransaction', [{ from: stranger, to: ACCOUNT1, value: quantity(parseEther('1')) }]);
  const receipt = await provider.waitForTransaction(hash);
  assert.equal(receipt.status, 1);
  assert.equal(receipt.from.toLowerCase(), stranger);
  assert.ok((await provider.getBalance(stranger)) < parseEther('4'));
  await rpc('anvil_stopImpersonatingAccount', [stranger]);
  await assert.rejects(rpc('eth_sendTransaction', [{ from: stranger, to: ACCOUNT1, value: '0x1' }]));
});

test('anvil_mine(5) mines five blocks', async () => {
  const before = await provider.getBlockNumber();
  await rpc('anvil_mine', ['0x5']);
  assert.equal(await provider.getBlockNumber(), before + 5);
});

test('evm_setAutomine(false): a sent transaction stays pending until evm_mine', async () => {
  const wallet = localWallet(8, provider);
  const before = await provider.getBlockNumber();
  await rpc('evm_setAutomine', [false]);
  try {
    const tx = await wallet.sendTransaction({ to: ACCOUNT1, value: 11n });
    assert.equal(await provider.getBlockNumber(), before);
    assert.equal(await provider.getTransactionReceipt(tx.hash), null);
    const pending = await provider.getTransaction(tx.hash);
    assert.ok(pending, 'the pending transaction is known');
    assert.equal(pending.blockNumber, null);
    assert.equal(await provider.getTransactionCount(wallet.address, 'pending'),
      (await provider.getTransactionCount(wallet.address, 'latest')) + 1);
    // The pending block is the block mining would make now: it holds the transaction, and state
    // read at `pending` includes its effect (geth, Anvil).
    const pendingBlock = await provider.getBlock('pending');
    assert.equal(pendingBlock.number, before + 1);
    assert.ok(pendingBlock.transactions.includes(tx.hash), 'the pending block holds the transaction');
    assert.equal(await provider.getBalance(ACCOUNT1, 'pending'), (await provider.getBalance(ACCOUNT1, 'latest')) + 11n);
    const pool = await rpc('txpool_status');
    assert.ok(BigInt(pool.pending) >= 1n, `txpool_status ${JSON.stringify(pool)}`);
    await rpc('evm_mine');
    const receipt = await provider.getTransactionReceipt(tx.hash);
    assert.equal(receipt?.status, 1);
    assert.equal(receipt.blockNumber, before + 1);
  } finally {
    await rpc('evm_setAutomine', [true]);
  }
});
