// viem's test client in Anvil mode (createTestClient({ mode: 'anvil' })): the pool (txpool
// status, content, inspect, drop), mining, block timestamp intervals, logging, unsigned sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestClient, http, getAddress } from 'viem';
import { viemClients, polyvmChain, RPC_URL, ACCOUNT0, ACCOUNT1, rpc } from '../lib/node.mjs';

const testClient = createTestClient({ chain: polyvmChain, mode: 'anvil', transport: http(RPC_URL) });
const { publicClient, walletClient } = viemClients(ACCOUNT0);
const blockNumber = () => publicClient.getBlockNumber({ cacheTime: 0 });

test('txpool: status, content and inspect split the pool; dropTransaction and mine empty it', async () => {
  await testClient.setAutomine(false);
  try {
    const first = await walletClient.sendTransaction({ to: ACCOUNT1, value: 1n });
    const second = await walletClient.sendTransaction({ to: ACCOUNT1, value: 2n });
    const nonce = await publicClient.getTransactionCount({ address: ACCOUNT0, blockTag: 'pending' });
    // A nonce past the next one waits behind the gap: queued.
    const gapped = await rpc('eth_sendTransaction', [{ from: ACCOUNT0, to: ACCOUNT1, value: '0x3', nonce: `0x${(nonce + 5).toString(16)}` }]);
    assert.deepEqual(await testClient.getTxpoolStatus(), { pending: 2, queued: 1 });
    const content = await testClient.getTxpoolContent();
    const sender = getAddress(ACCOUNT0);
    assert.deepEqual(Object.keys(content.pending[sender]).length, 2);
    assert.equal(content.queued[sender][String(nonce + 5)].hash, gapped);
    const hashes = Object.values(content.pending[sender]).map((t) => t.hash).sort();
    assert.deepEqual(hashes, [first, second].sort());
    const summary = await testClient.inspectTxpool();
    assert.match(Object.values(summary.pending[sender])[0], / wei \+ \d+ gas × \d+ wei$/);

    await testClient.dropTransaction({ hash: gapped });
    assert.deepEqual(await testClient.getTxpoolStatus(), { pending: 2, queued: 0 });
    const before = await blockNumber();
    await testClient.mine({ blocks: 1 });
    assert.equal(await blockNumber(), before + 1n);
    assert.equal((await publicClient.getTransactionReceipt({ hash: second })).blockNumber, before + 1n);
    assert.deepEqual(await testClient.getTxpoolStatus(), { pending: 0, queued: 0 });
  } finally {
    await testClient.setAutomine(true);
  }
});

test('setBlockTimestampInterval: each mined block is the interval after its parent', async () => {
  await testClient.setBlockTimestampInterval({ interval: 1000 });
  try {
    const parent = await publicClient.getBlock({ blockTag: 'latest' });
    await testClient.mine({ blocks: 1 });
    const child = await publicClient.getBlock({ blockTag: 'latest' });
    assert.equal(child.timestamp, parent.timestamp + 1000n);
  } finally {
    await testClient.removeBlockTimestampInterval();
  }
  assert.equal(await rpc('anvil_removeBlockTimestampInterval'), false);  // none set any more
});

test('sendUnsignedTransaction sends from any address; setLoggingEnabled; addBalance', async () => {
  const stranger = '0x00000000000000000000000000000000c0ffee07';
  await testClient.setBalance({ address: stranger, value: 10n ** 18n });
  await rpc('anvil_addBalance', [stranger, '0x5']);
  assert.equal(await publicClient.getBalance({ address: stranger }), 10n ** 18n + 5n);
  const before = await publicClient.getBalance({ address: ACCOUNT1 });
  const hash = await testClient.sendUnsignedTransaction({ from: stranger, to: ACCOUNT1, value: 9n });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, 'success');
  assert.equal(receipt.from.toLowerCase(), stranger);
  assert.equal(await publicClient.getBalance({ address: ACCOUNT1 }), before + 9n);
  // The raw encoding of the mined transaction hashes to its hash (EIP-2718 envelope).
  const raw = await rpc('eth_getRawTransactionByHash', [hash]);
  assert.match(raw, /^0x02/);
  await testClient.setLoggingEnabled(false);
  await testClient.setLoggingEnabled(true);
});

test('evm_mine_detailed answers the blocks it mined, with their transactions', async () => {
  const before = await blockNumber();
  const blocks = await rpc('evm_mine_detailed', [{ blocks: 2 }]);
  assert.equal(blocks.length, 2);
  assert.equal(BigInt(blocks[1].number), before + 2n);
  assert.ok(Array.isArray(blocks[0].transactions));
});

test('evm_setTime moves the clock; hardhat_setPrevRandao sets the next block\'s PREVRANDAO once', async () => {
  const parent = await publicClient.getBlock({ blockTag: 'latest' });
  const target = Number(parent.timestamp) + 20000;
  const offset = await rpc('evm_setTime', [target]);
  assert.equal(typeof offset, 'number');
  const randao = `0x${'5a'.repeat(32)}`;
  assert.equal(await rpc('hardhat_setPrevRandao', [randao]), true);
  await testClient.mine({ blocks: 1 });
  const block = await publicClient.getBlock({ blockTag: 'latest' });
  assert.ok(block.timestamp >= BigInt(target) && block.timestamp < BigInt(target) + 60n, `timestamp ${block.timestamp}, set ${target}`);
  assert.equal(block.mixHash, randao);
  await testClient.mine({ blocks: 1 });
  assert.notEqual((await publicClient.getBlock({ blockTag: 'latest' })).mixHash, randao);
});

// The rest of viem's test actions, each checked by what it changes, inside one snapshot so that
// the chain the later files see is the one before.
test('state, time, block and account actions; snapshot and revert', async () => {
  const id = await testClient.snapshot();
  try {
    assert.equal(await testClient.getAutomine(), true);
    const stranger = '0x00000000000000000000000000000000000b0b0b';
    await testClient.setBalance({ address: stranger, value: 12345n });
    await testClient.setNonce({ address: stranger, nonce: 7 });
    await testClient.setCode({ address: stranger, bytecode: '0x60ff60005260206000f3' });
    await testClient.setStorageAt({ address: stranger, index: 3, value: '0x' + '00'.repeat(31) + '2a' });
    assert.equal(await publicClient.getBalance({ address: stranger }), 12345n);
    assert.equal(await publicClient.getTransactionCount({ address: stranger }), 7);
    assert.equal(await publicClient.getCode({ address: stranger }), '0x60ff60005260206000f3');
    assert.equal(BigInt(await publicClient.getStorageAt({ address: stranger, slot: '0x3' })), 42n);

    // Impersonation: a transaction from an account without a key, until it stops.
    await testClient.impersonateAccount({ address: stranger });
    await testClient.setBalance({ address: stranger, value: 10n ** 18n });
    const hash = await rpc('eth_sendTransaction', [{ from: stranger, to: ACCOUNT1, value: '0x1' }]);
    assert.equal((await publicClient.getTransactionReceipt({ hash })).from, stranger);
    await testClient.stopImpersonatingAccount({ address: stranger });
    await assert.rejects(rpc('eth_sendTransaction', [{ from: stranger, to: ACCOUNT1, value: '0x1' }]));

    // Time: the next block's timestamp, then an increase on top of it.
    const latest = await publicClient.getBlock({ blockTag: 'latest' });
    await testClient.setNextBlockTimestamp({ timestamp: latest.timestamp + 100n });
    await testClient.mine({ blocks: 1 });
    const stamped = await publicClient.getBlock({ blockTag: 'latest' });
    assert.equal(stamped.timestamp, latest.timestamp + 100n);
    await testClient.increaseTime({ seconds: 3600 });
    await testClient.mine({ blocks: 1 });
    assert.ok((await publicClient.getBlock({ blockTag: 'latest' })).timestamp >= stamped.timestamp + 3600n);

    // Block parameters of the next blocks.
    await testClient.setBlockGasLimit({ gasLimit: 25_000_000n });
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: 7_000_000_000n });
    await testClient.setCoinbase({ address: stranger });
    await testClient.mine({ blocks: 1 });
    const shaped = await publicClient.getBlock({ blockTag: 'latest' });
    assert.equal(shaped.gasLimit, 25_000_000n);
    assert.equal(shaped.baseFeePerGas, 7_000_000_000n);
    assert.equal(shaped.miner, stranger);
    await testClient.setMinGasPrice({ gasPrice: 1n });

    // Interval mining: blocks come without transactions; 0 turns it off.
    await testClient.setIntervalMining({ interval: 1 });
    const before = await blockNumber();
    await new Promise((r) => setTimeout(r, 2500));
    await testClient.setIntervalMining({ interval: 0 });
    assert.ok((await blockNumber()) > before);
    assert.equal(await testClient.getAutomine(), false);  // as Anvil: interval mining turned automine off
    await testClient.setAutomine(true);

    // A state dump, loaded back after the balance changed.
    const dump = await testClient.dumpState();
    await testClient.setBalance({ address: stranger, value: 1n });
    await testClient.loadState({ state: dump });
    assert.equal(await publicClient.getBalance({ address: stranger }), 10n ** 18n - 1n - (await spent(hash)));
  } finally {
    await testClient.revert({ id });
    await testClient.setIntervalMining({ interval: 0 });
    await testClient.setAutomine(true);  // not part of a snapshot (nor in Anvil)
  }
  // The snapshot put everything back.
  assert.equal(await publicClient.getBalance({ address: '0x00000000000000000000000000000000000b0b0b' }), 0n);
  assert.equal(await testClient.getAutomine(), true);
  // Forking is not supported: setRpcUrl is refused, nothing changed.
  await assert.rejects(testClient.setRpcUrl('http://127.0.0.1:1'));
});

async function spent(hash) {
  const receipt = await publicClient.getTransactionReceipt({ hash });
  return receipt.gasUsed * receipt.effectiveGasPrice;
}
