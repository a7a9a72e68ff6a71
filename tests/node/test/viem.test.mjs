// viem public and wallet clients over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEther, getContract, BaseError, ContractFunctionRevertedError, parseAbiItem } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { viemClients, artifact, ACCOUNT0, ACCOUNT1, localWallet } from '../lib/node.mjs';

const { publicClient, walletClient } = viemClients(ACCOUNT0); // json-rpc account: the node signs
const { abi, bytecode } = artifact('TestToken');

test('getChainId, getBlockNumber and getBalance', async () => {
  assert.equal(await publicClient.getChainId(), 31337);
  assert.equal(typeof (await publicClient.getBlockNumber()), 'bigint');
  assert.ok((await publicClient.getBalance({ address: ACCOUNT0 })) > parseEther('1000'));
});

test('sendTransaction (node-signed) + waitForTransactionReceipt', async () => {
  const to = localWallet(5).address;
  const before = await publicClient.getBalance({ address: to });
  const hash = await walletClient.sendTransaction({ to, value: parseEther('0.5') });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, 'success');
  assert.equal(receipt.transactionHash, hash);
  assert.equal(await publicClient.getBalance({ address: to }), before + parseEther('0.5'));
});

test('sendTransaction signed locally by a viem account (eth_sendRawTransaction)', async () => {
  const account = privateKeyToAccount(localWallet(4).privateKey);
  const { walletClient: local } = viemClients(account);
  const hash = await local.sendTransaction({ to: ACCOUNT1, value: 3n });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, 'success');
  assert.equal(receipt.from.toLowerCase(), account.address.toLowerCase());
});

test('deployContract, readContract, writeContract and getLogs', async () => {
  const hash = await walletClient.deployContract({ abi, bytecode, args: [1000n] });
  const { contractAddress, status } = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(status, 'success');
  const token = getContract({ address: contractAddress, abi, client: { public: publicClient, wallet: walletClient } });
  assert.equal(await publicClient.readContract({ address: contractAddress, abi, functionName: 'totalSupply' }), 1000n);
  const transferHash = await token.write.transfer([ACCOUNT1, 10n]);
  const receipt = await publicClient.waitForTransactionReceipt({ hash: transferHash, pollingInterval: 50 });
  assert.equal(await token.read.balanceOf([ACCOUNT1]), 10n);
  const logs = await publicClient.getLogs({
    address: contractAddress,
    event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
    args: { to: ACCOUNT1 },
    fromBlock: receipt.blockNumber,
    toBlock: receipt.blockNumber,
  });
  assert.equal(logs.length, 1);
  assert.equal(logs[0].args.value, 10n);
  assert.equal(logs[0].args.from.toLowerCase(), ACCOUNT0.toLowerCase());
});

test('simulateContract decodes a require-string revert', async () => {
  const hash = await walletClient.deployContract({ abi, bytecode, args: [1n] });
  const { contractAddress } = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  try {
    await publicClient.simulateContract({ address: contractAddress, abi, functionName: 'failWithReason', account: ACCOUNT0 });
    assert.fail('simulateContract did not revert');
  } catch (err) {
    assert.ok(err instanceof BaseError, String(err));
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(reverted, err.message);
    assert.equal(reverted.reason, 'TestToken: always fails', err.message);
  }
});

test('watchBlocks sees a newly mined block', async () => {
  const start = await publicClient.getBlockNumber();
  // viem may report the current head first; wait for a block above it.
  const seen = new Promise((resolve, reject) => {
    const timer = setTimeout(() => { unwatch(); reject(new Error('no new block within 10 s')); }, 10000);
    const unwatch = publicClient.watchBlocks({
      pollingInterval: 50,
      onBlock: (block) => {
        if (block.number <= start) return;
        clearTimeout(timer); unwatch(); resolve(block);
      },
      onError: (e) => { clearTimeout(timer); unwatch(); reject(e); },
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  const hash = await walletClient.sendTransaction({ to: ACCOUNT1, value: 1n });
  const block = await seen;
  assert.equal(block.number, start + 1n);
  assert.ok(block.transactions.includes(hash), 'the block holds the transaction');
});

test('getBlock and getBalance at the pending block tag (automine off)', async () => {
  const before = await publicClient.getBlockNumber();
  await publicClient.request({ method: 'evm_setAutomine', params: [false] });
  try {
    const to = localWallet(6).address;
    const latest = await publicClient.getBalance({ address: to });
    const hash = await walletClient.sendTransaction({ to, value: 7n });
    const block = await publicClient.getBlock({ blockTag: 'pending', includeTransactions: true });
    assert.equal(block.number, before + 1n);
    assert.equal(block.hash, null);  // not sealed yet (geth)
    assert.ok(block.transactions.some((t) => t.hash === hash), 'the pending block holds the transaction');
    assert.equal(await publicClient.getBalance({ address: to, blockTag: 'pending' }), latest + 7n);
    assert.equal(await publicClient.getBalance({ address: to }), latest);
    await publicClient.request({ method: 'evm_mine', params: [] });
    const receipt = await publicClient.getTransactionReceipt({ hash });
    assert.equal(receipt.blockNumber, before + 1n);
  } finally {
    await publicClient.request({ method: 'evm_setAutomine', params: [true] });
  }
});

test('simulateBlocks (eth_simulateV1): calls in blocks that see each other, logs, reverts, nothing kept', async () => {
  const deployHash = await walletClient.deployContract({ abi, bytecode, args: [1000n] });
  const { contractAddress: token } = await publicClient.waitForTransactionReceipt({ hash: deployHash, pollingInterval: 50 });
  const head = await publicClient.getBlockNumber({ cacheTime: 0 });  // viem caches the number for 4 s
  const results = await publicClient.simulateBlocks({
    blocks: [
      {
        calls: [
          { account: ACCOUNT0, to: token, abi, functionName: 'transfer', args: [ACCOUNT1, 5n] },
          { to: token, abi, functionName: 'balanceOf', args: [ACCOUNT1] },
          { account: ACCOUNT0, to: token, abi, functionName: 'failWithReason' },
        ],
      },
      { calls: [{ to: token, abi, functionName: 'balanceOf', args: [ACCOUNT1] }] },
    ],
  });
  assert.equal(results.length, 2);
  const [first, second] = results;
  assert.equal(first.number, head + 1n);
  assert.equal(second.number, head + 2n);
  assert.equal(second.parentHash, first.hash);
  assert.equal(first.transactions.length, 3);  // the calls, as geth lists them
  assert.equal(first.calls[0].status, 'success');
  assert.equal(first.calls[0].result, true);
  assert.equal(first.calls[0].logs.length, 1);
  assert.equal(first.calls[0].logs[0].address.toLowerCase(), token.toLowerCase());
  assert.equal(first.calls[0].logs[0].blockNumber, head + 1n);
  assert.equal(first.calls[0].logs[0].transactionHash, first.transactions[0]);
  assert.equal(first.calls[1].result, 5n);  // the transfer before it in the same block
  assert.equal(first.calls[2].status, 'failure');
  assert.ok(first.calls[2].error, 'a reverted call carries its error');
  assert.equal(second.calls[0].result, 5n);  // the next block sees the first one's state
  assert.equal(first.gasUsed, first.calls.reduce((sum, c) => sum + c.gasUsed, 0n));
  // Simulation changes nothing.
  assert.equal(await publicClient.getBlockNumber({ cacheTime: 0 }), head);
  assert.equal(await publicClient.readContract({ address: token, abi, functionName: 'balanceOf', args: [ACCOUNT1] }), 0n);
});
