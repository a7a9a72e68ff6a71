// Chain id, accounts, balances and a plain transfer, through ethers v6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEther, getAddress } from 'ethers';
import { ethersProvider, ACCOUNT0, ACCOUNT1, ACCOUNT2, CHAIN_ID, localWallet, rpc } from '../lib/node.mjs';

const provider = ethersProvider();

test('eth_chainId is 31337 (0x7a69)', async () => {
  assert.equal(await rpc('eth_chainId'), '0x7a69');
  assert.equal((await provider.getNetwork()).chainId, CHAIN_ID);
});

test('eth_accounts lists the 10 accounts of the default mnemonic', async () => {
  const accounts = (await provider.listAccounts()).map((s) => s.address);
  assert.equal(accounts.length, 10);
  assert.equal(accounts[0], ACCOUNT0);
  for (let i = 0; i < 10; i++) assert.equal(accounts[i], localWallet(i).address, `account ${i}`);
});

test('an untouched account holds 10,000 ETH', async () => {
  // Account 9 is used by no test.
  assert.equal(await provider.getBalance(localWallet(9).address), parseEther('10000'));
});

test('blockNumber is a number and grows by one per automined transaction', async () => {
  const before = await provider.getBlockNumber();
  const signer = await provider.getSigner(ACCOUNT2);
  const receipt = await (await signer.sendTransaction({ to: ACCOUNT1, value: 1n })).wait();
  assert.equal(receipt.blockNumber, before + 1);
  assert.equal(await provider.getBlockNumber(), before + 1);
});

test('a transfer is mined: status 1, balances change by value and gasUsed * effectiveGasPrice', async () => {
  const signer = await provider.getSigner(ACCOUNT0);
  const recipient = localWallet(5).address;
  const value = parseEther('1.25');
  const [fromBefore, toBefore] = await Promise.all([provider.getBalance(ACCOUNT0), provider.getBalance(recipient)]);
  const tx = await signer.sendTransaction({ to: recipient, value });
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.gasUsed, 21000n);
  assert.ok(receipt.gasPrice > 0n, 'effectiveGasPrice is set');
  const block = await provider.getBlock(receipt.blockNumber);
  assert.ok(receipt.gasPrice >= block.baseFeePerGas, 'effectiveGasPrice >= baseFee');
  const [fromAfter, toAfter] = await Promise.all([provider.getBalance(ACCOUNT0), provider.getBalance(recipient)]);
  assert.equal(toAfter - toBefore, value);
  assert.equal(fromBefore - fromAfter, value + receipt.gasUsed * receipt.gasPrice);
});

test('getBlock with transactions and getTransaction agree with the sent transaction', async () => {
  const signer = await provider.getSigner(ACCOUNT1);
  const tx = await signer.sendTransaction({ to: ACCOUNT2, value: 12345n, data: '0xabcdef' });
  const receipt = await tx.wait();
  const block = await provider.getBlock(receipt.blockNumber, true);
  assert.equal(block.hash, receipt.blockHash);
  assert.deepEqual(block.transactions, [tx.hash]);
  assert.equal(block.prefetchedTransactions[0].hash, tx.hash);
  const fetched = await provider.getTransaction(tx.hash);
  assert.equal(fetched.from, ACCOUNT1);
  assert.equal(getAddress(fetched.to), ACCOUNT2);
  assert.equal(fetched.value, 12345n);
  assert.equal(fetched.data, '0xabcdef');
  assert.equal(fetched.blockNumber, receipt.blockNumber);
  assert.equal(fetched.blockHash, receipt.blockHash);
  assert.equal(fetched.chainId, CHAIN_ID);
  assert.ok(block.parentHash === (await provider.getBlock(receipt.blockNumber - 1)).hash, 'parentHash links');
});

test('nonce increments with each sent transaction', async () => {
  const address = localWallet(3).address;
  const signer = await provider.getSigner(address);
  const n0 = await provider.getTransactionCount(address);
  await (await signer.sendTransaction({ to: ACCOUNT0, value: 1n })).wait();
  await (await signer.sendTransaction({ to: ACCOUNT0, value: 1n })).wait();
  assert.equal(await provider.getTransactionCount(address), n0 + 2);
});

test('a transaction signed locally (EIP-1559) is accepted by eth_sendRawTransaction', async () => {
  const wallet = localWallet(4, provider);
  const nonce = await provider.getTransactionCount(wallet.address);
  const tx = await wallet.sendTransaction({ to: ACCOUNT0, value: 7n, nonce });
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.from, wallet.address);
  assert.equal(tx.type, 2);
});
