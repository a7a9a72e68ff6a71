// ethers WebSocketProvider: newHeads ('block') and logs subscriptions (eth_subscribe).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketProvider } from 'ethers';
import { WS_URL, ethersProvider, deploy, ACCOUNT0, ACCOUNT1 } from '../lib/node.mjs';

const http = ethersProvider();
const ws = new WebSocketProvider(WS_URL, 31337, { staticNetwork: true });
// ethers sends eth_unsubscribe in the background after off(): let it finish before closing.
after(async () => {
  await new Promise((r) => setTimeout(r, 300));
  await ws.destroy();
});

function waitFor(register, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    register((...args) => { clearTimeout(timer); resolve(args); });
  });
}

test('eth_chainId and eth_blockNumber over WebSocket', async () => {
  assert.equal((await ws.send('eth_chainId', [])), '0x7a69');
  assert.equal(await ws.getBlockNumber(), await http.getBlockNumber());
});

test("'block' event (newHeads) arrives after a transaction is mined", async () => {
  const start = await ws.getBlockNumber();
  let listener;
  const got = waitFor((done) => {
    listener = (number) => { if (number > start) done(number); };
    ws.on('block', listener);
  }, 'block event');
  await new Promise((r) => setTimeout(r, 300)); // let eth_subscribe complete
  const signer = await http.getSigner(ACCOUNT0);
  const receipt = await (await signer.sendTransaction({ to: ACCOUNT1, value: 1n })).wait();
  const [number] = await got;
  await ws.off('block', listener);
  assert.equal(number, receipt.blockNumber);
});

test('logs subscription (contract event filter) delivers a Transfer', async () => {
  const token = await deploy(await http.getSigner(ACCOUNT0), 'TestToken', 10n ** 21n);
  const wsToken = token.connect(ws);
  const filter = wsToken.filters.Transfer(ACCOUNT0, ACCOUNT1);
  let listener;
  const got = waitFor((done) => { listener = (...args) => done(...args); wsToken.on(filter, listener); }, 'Transfer log');
  await new Promise((r) => setTimeout(r, 300));
  const receipt = await (await token.transfer(ACCOUNT1, 99n)).wait();
  const args = await got;
  const event = args[args.length - 1];
  await wsToken.off(filter, listener);
  assert.deepEqual([...event.args], [ACCOUNT0, ACCOUNT1, 99n]);
  assert.equal(event.log.transactionHash, receipt.hash);
  assert.equal(event.log.blockNumber, receipt.blockNumber);
});

// A reorg seen by an indexer: logs already delivered come back with removed: true when the chain
// goes back (evm_revert here; anvil_rollback and anvil_reorg alike), over a subscription (viem's
// WebSocket transport) and at a polled filter's next poll, as geth delivers them.
test('logs of blocks taken off the chain come back with removed: true', async () => {
  const { createPublicClient, webSocket } = await import('viem');
  const { polyvmChain, rpc } = await import('../lib/node.mjs');
  const token = await deploy(await http.getSigner(ACCOUNT0), 'TestToken', 10n ** 21n);
  const address = (await token.getAddress()).toLowerCase();
  const client = createPublicClient({ chain: polyvmChain, transport: webSocket(WS_URL) });
  const pushed = [];
  const { unsubscribe } = await client.transport.subscribe({
    params: ['logs', { address }],
    onData: (data) => pushed.push(data.result),
  });
  const filter = await rpc('eth_newFilter', [{ address }]);
  const snapshot = await rpc('evm_snapshot');
  const sent = [];
  for (const amount of [5n, 6n]) sent.push((await (await token.transfer(ACCOUNT1, amount)).wait()).hash);
  const polled = await rpc('eth_getFilterChanges', [filter]);
  assert.deepEqual(polled.map((l) => [l.transactionHash, l.removed]), sent.map((h) => [h, false]));

  assert.equal(await rpc('evm_revert', [snapshot]), true);
  const removed = await rpc('eth_getFilterChanges', [filter]);
  assert.deepEqual(removed.map((l) => [l.transactionHash, l.removed]), sent.map((h) => [h, true]));
  assert.deepEqual(removed.map((l) => l.data), polled.map((l) => l.data));
  const deadline = Date.now() + 5000;
  while (pushed.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await unsubscribe();
  await rpc('eth_uninstallFilter', [filter]);
  await client.transport.getRpcClient().then((c) => c.close()).catch(() => {});
  assert.deepEqual(pushed.map((l) => [l.transactionHash, l.removed]), [...sent.map((h) => [h, false]), ...sent.map((h) => [h, true])]);
});
