// JSON-RPC error codes and messages as geth and Anvil give them (EIP-1474 codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Interface, parseEther } from 'ethers';
import { ethersProvider, deploy, rpcRaw, ACCOUNT0, ACCOUNT1, localWallet, artifact } from '../lib/node.mjs';

const provider = ethersProvider();

test('unknown method is -32601', async () => {
  const reply = await rpcRaw('eth_noSuchMethod', []);
  assert.equal(reply.error?.code, -32601, JSON.stringify(reply));
});

test('bad params are -32602', async () => {
  for (const [method, params] of [
    ['eth_getBalance', ['0x1234']],
    ['eth_getBalance', []],
    ['eth_getBlockByNumber', ['not-a-block', false]],
    ['eth_getTransactionByHash', ['0x12']],
  ]) {
    const reply = await rpcRaw(method, params);
    assert.equal(reply.error?.code, -32602, `${method}(${JSON.stringify(params)}): ${JSON.stringify(reply)}`);
  }
});

test('eth_getLogs past the head is -32602, not an incomplete answer', async () => {
  const head = await provider.getBlockNumber();
  for (const range of [{ fromBlock: '0x0', toBlock: `0x${(head + 5).toString(16)}` },
                       { fromBlock: `0x${(head + 1).toString(16)}` },
                       { fromBlock: `0x${(head + 1).toString(16)}`, toBlock: `0x${(head + 9).toString(16)}` }]) {
    const reply = await rpcRaw('eth_getLogs', [range]);
    assert.equal(reply.error?.code, -32602, `${JSON.stringify(range)}: ${JSON.stringify(reply)}`);
  }
  const upToHead = await rpcRaw('eth_getLogs', [{ fromBlock: '0x0', toBlock: `0x${head.toString(16)}` }]);
  assert.ok(Array.isArray(upToHead.result), JSON.stringify(upToHead));
});

test('malformed JSON is -32700 and a request without method is -32600', async () => {
  const { RPC_URL } = await import('../lib/node.mjs');
  const parse = await (await fetch(RPC_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":' })).json();
  assert.equal(parse.error?.code, -32700, JSON.stringify(parse));
  const invalid = await (await fetch(RPC_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1}' })).json();
  assert.equal(invalid.error?.code, -32600, JSON.stringify(invalid));
});

test('nonce too low is -32000 with "nonce too low"', async () => {
  const wallet = localWallet(2, provider);
  const nonce = await provider.getTransactionCount(wallet.address);
  await (await wallet.sendTransaction({ to: ACCOUNT1, value: 1n, nonce })).wait();
  const stale = await wallet.signTransaction(await wallet.populateTransaction({ to: ACCOUNT1, value: 1n, nonce }));
  const reply = await rpcRaw('eth_sendRawTransaction', [stale]);
  assert.equal(reply.error?.code, -32000, JSON.stringify(reply));
  assert.match(reply.error.message, /nonce too low/);
});

test('insufficient funds is -32000 with "insufficient funds"', async () => {
  const wallet = localWallet(2, provider);
  const raw = await wallet.signTransaction(await wallet.populateTransaction({ to: ACCOUNT1, value: parseEther('1000000'), gasLimit: 21000n }));
  const reply = await rpcRaw('eth_sendRawTransaction', [raw]);
  assert.equal(reply.error?.code, -32000, JSON.stringify(reply));
  assert.match(reply.error.message, /insufficient funds/);
});

test('eth_call revert is code 3 "execution reverted" with the revert data', async () => {
  const token = await deploy(await provider.getSigner(ACCOUNT0), 'TestToken', 1n);
  const iface = new Interface(artifact('TestToken').abi);
  const reply = await rpcRaw('eth_call', [{ to: await token.getAddress(), data: iface.encodeFunctionData('failWithReason') }, 'latest']);
  assert.equal(reply.error?.code, 3, JSON.stringify(reply));
  assert.match(reply.error.message, /^execution reverted/);
  // Error(string) ABI encoding, computed by ethers independently of the node.
  assert.equal(reply.error.data, iface.encodeErrorResult('Error', ['TestToken: always fails']));
  assert.equal(reply.error.message, 'execution reverted: TestToken: always fails');
  // A custom error comes back as its raw data.
  const custom = await rpcRaw('eth_call', [{ from: ACCOUNT1, to: await token.getAddress(), data: iface.encodeFunctionData('transfer', [ACCOUNT0, 2n]) }, 'latest']);
  assert.equal(custom.error?.code, 3, JSON.stringify(custom));
  assert.equal(custom.error.data, iface.encodeErrorResult('ERC20InsufficientBalance', [ACCOUNT1, 0n, 2n]));
});

test('eth_estimateGas of a reverting call is code 3 with the revert data', async () => {
  const token = await deploy(await provider.getSigner(ACCOUNT0), 'TestToken', 1n);
  const iface = new Interface(artifact('TestToken').abi);
  const reply = await rpcRaw('eth_estimateGas', [{ from: ACCOUNT0, to: await token.getAddress(), data: iface.encodeFunctionData('failWithReason') }]);
  assert.equal(reply.error?.code, 3, JSON.stringify(reply));
  assert.equal(reply.error.data, iface.encodeErrorResult('Error', ['TestToken: always fails']));
});
