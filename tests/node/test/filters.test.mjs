// Polling filters: eth_newFilter, eth_newBlockFilter, eth_getFilterChanges, eth_getFilterLogs,
// eth_uninstallFilter (raw JSON-RPC, as the spec names them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { id, zeroPadValue } from 'ethers';
import { ethersProvider, deploy, rpc, rpcRaw, ACCOUNT0, ACCOUNT1, ACCOUNT2 } from '../lib/node.mjs';

const provider = ethersProvider();
const TRANSFER = id('Transfer(address,address,uint256)');

test('eth_newBlockFilter reports the hashes of new blocks once', async () => {
  const filter = await rpc('eth_newBlockFilter');
  assert.match(filter, /^0x[0-9a-f]+$/);
  assert.deepEqual(await rpc('eth_getFilterChanges', [filter]), []);
  const signer = await provider.getSigner(ACCOUNT0);
  const r1 = await (await signer.sendTransaction({ to: ACCOUNT1, value: 1n })).wait();
  const r2 = await (await signer.sendTransaction({ to: ACCOUNT1, value: 1n })).wait();
  assert.deepEqual(await rpc('eth_getFilterChanges', [filter]), [r1.blockHash, r2.blockHash]);
  assert.deepEqual(await rpc('eth_getFilterChanges', [filter]), []);
  assert.equal(await rpc('eth_uninstallFilter', [filter]), true);
  assert.equal(await rpc('eth_uninstallFilter', [filter]), false);
});

test('eth_newFilter with address and topics returns matching logs only, once', async () => {
  const token = await deploy(await provider.getSigner(ACCOUNT0), 'TestToken', 10n ** 21n);
  const address = await token.getAddress();
  const filter = await rpc('eth_newFilter', [{ address, topics: [TRANSFER, null, zeroPadValue(ACCOUNT2.toLowerCase(), 32)] }]);
  const toOne = await (await token.transfer(ACCOUNT1, 5n)).wait(); // not matched: other recipient
  const toTwo = await (await token.transfer(ACCOUNT2, 6n)).wait();
  const changes = await rpc('eth_getFilterChanges', [filter]);
  assert.equal(changes.length, 1, JSON.stringify(changes));
  assert.equal(changes[0].transactionHash, toTwo.hash);
  assert.equal(changes[0].address.toLowerCase(), address.toLowerCase());
  assert.equal(BigInt(changes[0].data), 6n);
  assert.equal(changes[0].removed, false);
  assert.notEqual(changes[0].transactionHash, toOne.hash);
  assert.deepEqual(await rpc('eth_getFilterChanges', [filter]), []);
  // eth_getFilterLogs returns everything the filter matches, not only what is new.
  const all = await rpc('eth_getFilterLogs', [filter]);
  assert.equal(all.length, 1);
  assert.equal(all[0].transactionHash, toTwo.hash);
  await rpc('eth_uninstallFilter', [filter]);
});

test('eth_getFilterChanges of an unknown filter id is an error', async () => {
  const reply = await rpcRaw('eth_getFilterChanges', ['0xdeadbeef']);
  assert.ok(reply.error, JSON.stringify(reply));
  assert.match(reply.error.message, /filter not found/i);
});
