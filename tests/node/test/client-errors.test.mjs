// Rejected transactions as the client libraries classify them: ethers' error codes and viem's
// error classes come from the node's messages (ethers' JsonRpcProvider.getRpcError and viem's
// getTransactionError match geth's wording), so a message that drifts from geth's shows here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEther, Wallet } from 'ethers';
import {
  BaseError, NonceTooLowError, InsufficientFundsError, FeeCapTooLowError, IntrinsicGasTooLowError,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ethersProvider, viemClients, localWallet, rpc, ACCOUNT1 } from '../lib/node.mjs';

const provider = ethersProvider();

/// The ethers error code a promise rejects with.
async function ethersCode(promise) {
  try {
    await promise;
  } catch (e) {
    return e.code;
  }
  assert.fail('expected a rejection');
}

/// The viem error class in the cause chain of a rejection, or the error itself.
async function viemCause(promise, kind) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof BaseError, String(e));
    return e.walk((cause) => cause instanceof kind);
  }
  assert.fail('expected a rejection');
}

test('ethers: nonce too low is NONCE_EXPIRED, no funds is INSUFFICIENT_FUNDS', async () => {
  const wallet = localWallet(3, provider);
  const nonce = await provider.getTransactionCount(wallet.address);
  await (await wallet.sendTransaction({ to: ACCOUNT1, value: 1n })).wait();
  assert.equal(await ethersCode(wallet.sendTransaction({ to: ACCOUNT1, value: 1n, nonce })), 'NONCE_EXPIRED');
  const empty = Wallet.createRandom().connect(provider);
  assert.equal(await ethersCode(empty.sendTransaction({ to: ACCOUNT1, value: parseEther('1') })), 'INSUFFICIENT_FUNDS');
  assert.equal(await ethersCode(empty.sendTransaction({ to: ACCOUNT1, value: 1n, gasLimit: 21000n })), 'INSUFFICIENT_FUNDS');
});

test('ethers: a replacement without a 10% higher fee is REPLACEMENT_UNDERPRICED', async () => {
  const wallet = localWallet(3, provider);
  await rpc('evm_setAutomine', [false]);
  try {
    const nonce = await provider.getTransactionCount(wallet.address, 'pending');
    const fees = { maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, gasLimit: 21000n };
    const first = await wallet.sendTransaction({ to: ACCOUNT1, value: 1n, nonce, ...fees });
    assert.equal(await ethersCode(wallet.sendTransaction({ to: ACCOUNT1, value: 2n, nonce, ...fees })), 'REPLACEMENT_UNDERPRICED');
    // 10% more on both caps replaces it.
    const bumped = { maxFeePerGas: 11n * 10n ** 9n, maxPriorityFeePerGas: 11n * 10n ** 8n, gasLimit: 21000n };
    const second = await wallet.sendTransaction({ to: ACCOUNT1, value: 3n, nonce, ...bumped });
    await rpc('evm_mine');
    assert.equal(await provider.getTransactionReceipt(first.hash), null);
    assert.equal((await provider.getTransactionReceipt(second.hash)).status, 1);
  } finally {
    await rpc('evm_setAutomine', [true]);
  }
});

test('viem: NonceTooLowError, InsufficientFundsError, FeeCapTooLowError, IntrinsicGasTooLowError', async () => {
  const account = privateKeyToAccount(localWallet(7).privateKey);
  const { publicClient, walletClient } = viemClients(account);
  const hash = await walletClient.sendTransaction({ to: ACCOUNT1, value: 1n });
  await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const base = { to: ACCOUNT1, value: 1n, gas: 21000n, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 1n };
  const nonce = await publicClient.getTransactionCount({ address: account.address });
  assert.ok(await viemCause(walletClient.sendTransaction({ ...base, nonce: nonce - 1 }), NonceTooLowError));
  const fee = (await publicClient.getBlock()).baseFeePerGas;
  assert.ok(await viemCause(walletClient.sendTransaction({ ...base, nonce, maxFeePerGas: fee / 2n }), FeeCapTooLowError));
  assert.ok(await viemCause(walletClient.sendTransaction({ ...base, nonce, gas: 20000n }), IntrinsicGasTooLowError));
  const poor = privateKeyToAccount(Wallet.createRandom().privateKey);
  const { walletClient: poorClient } = viemClients(poor);
  assert.ok(await viemCause(poorClient.sendTransaction({ ...base, nonce: 0, value: parseEther('1') }), InsufficientFundsError));
});
