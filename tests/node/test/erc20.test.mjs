// OpenZeppelin ERC-20 + ERC-20 Permit (EIP-2612) deployed and used through ethers v6; reverts
// decoded by ethers and viem.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Contract, parseUnits, Signature, MaxUint256, id, zeroPadValue } from 'ethers';
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { ethersProvider, deploy, ACCOUNT0, ACCOUNT1, ACCOUNT2, localWallet, viemClients, artifact } from '../lib/node.mjs';

const provider = ethersProvider();
const SUPPLY = parseUnits('1000000', 18);
let owner; // JsonRpcSigner of account 0 (the node signs)
let token;

before(async () => {
  owner = await provider.getSigner(ACCOUNT0);
  token = await deploy(owner, 'TestToken', SUPPLY);
});

test('deploy: the contract has code, name, symbol, decimals and the supply belongs to the deployer', async () => {
  const address = await token.getAddress();
  const receipt = await token.deploymentTransaction().wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.contractAddress, address);
  assert.notEqual(await provider.getCode(address), '0x');
  assert.equal(await token.name(), 'Test Token');
  assert.equal(await token.symbol(), 'TST');
  assert.equal(await token.decimals(), 18n);
  assert.equal(await token.totalSupply(), SUPPLY);
  assert.equal(await token.balanceOf(ACCOUNT0), SUPPLY);
});

test('transfer moves tokens and emits one Transfer log with the right topics', async () => {
  const amount = parseUnits('250', 18);
  const receipt = await (await token.transfer(ACCOUNT1, amount)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await token.balanceOf(ACCOUNT1), amount);
  assert.equal(await token.balanceOf(ACCOUNT0), SUPPLY - amount);
  assert.equal(receipt.logs.length, 1);
  const log = receipt.logs[0];
  assert.equal(log.topics[0], id('Transfer(address,address,uint256)'));
  assert.equal(log.topics[1], zeroPadValue(ACCOUNT0.toLowerCase(), 32));
  assert.equal(log.topics[2], zeroPadValue(ACCOUNT1.toLowerCase(), 32));
  assert.equal(BigInt(log.data), amount);
  assert.equal(log.address, await token.getAddress());
  assert.equal(log.transactionHash, receipt.hash);
  assert.equal(log.blockNumber, receipt.blockNumber);
});

test('Transfer events via eth_getLogs and contract.queryFilter', async () => {
  const amount = 777n;
  const receipt = await (await token.transfer(ACCOUNT2, amount)).wait();
  const address = await token.getAddress();
  const logs = await provider.getLogs({
    address,
    fromBlock: receipt.blockNumber,
    toBlock: receipt.blockNumber,
    topics: [id('Transfer(address,address,uint256)'), null, zeroPadValue(ACCOUNT2.toLowerCase(), 32)],
  });
  assert.equal(logs.length, 1);
  assert.equal(logs[0].transactionHash, receipt.hash);
  const events = await token.queryFilter(token.filters.Transfer(null, ACCOUNT2), 0, 'latest');
  assert.equal(events.length, 1);
  assert.equal(events[0].args.from, ACCOUNT0);
  assert.equal(events[0].args.to, ACCOUNT2);
  assert.equal(events[0].args.value, amount);
  // The mint in the constructor is a Transfer from the zero address.
  const mints = await token.queryFilter(token.filters.Transfer('0x0000000000000000000000000000000000000000'));
  assert.equal(mints.length, 1);
  assert.equal(mints[0].args.value, SUPPLY);
});

test('balanceOf through a raw eth_call', async () => {
  const data = token.interface.encodeFunctionData('balanceOf', [ACCOUNT0]);
  const result = await provider.call({ to: await token.getAddress(), data });
  assert.equal(token.interface.decodeFunctionResult('balanceOf', result)[0], await token.balanceOf(ACCOUNT0));
});

test('estimateGas of a transfer is above 21000 and enough for the transaction', async () => {
  const estimate = await token.transfer.estimateGas(ACCOUNT1, 1n);
  assert.ok(estimate > 21000n && estimate < 200000n, `estimate ${estimate}`);
  const receipt = await (await token.transfer(ACCOUNT1, 1n, { gasLimit: estimate })).wait();
  assert.equal(receipt.status, 1);
  assert.ok(receipt.gasUsed <= estimate);
});

test('custom error ERC20InsufficientBalance is decoded by ethers', async () => {
  const poor = await provider.getSigner(localWallet(6).address); // holds no tokens
  const asPoor = token.connect(poor);
  // eth_call (staticCall): ethers decodes the revert data with the contract's ABI itself.
  await assert.rejects(asPoor.transfer.staticCall(ACCOUNT1, 5n), (err) => {
    assert.equal(err.code, 'CALL_EXCEPTION', err.message);
    assert.equal(err.revert?.name, 'ERC20InsufficientBalance', err.message);
    assert.deepEqual([...err.revert.args], [localWallet(6).address, 0n, 5n]);
    return true;
  });
  // A send fails in eth_estimateGas; ethers keeps the revert data there (it decodes custom errors
  // only for calls), so decode it with the contract interface.
  await assert.rejects(asPoor.transfer(ACCOUNT1, 5n), (err) => {
    assert.equal(err.code, 'CALL_EXCEPTION', err.message);
    assert.equal(token.interface.parseError(err.data)?.name, 'ERC20InsufficientBalance', err.message);
    return true;
  });
});

test('custom error ERC20InsufficientBalance is decoded by viem simulateContract', async () => {
  const { publicClient } = viemClients();
  const poor = localWallet(6).address;
  try {
    await publicClient.simulateContract({
      address: await token.getAddress(),
      abi: artifact('TestToken').abi,
      functionName: 'transfer',
      args: [ACCOUNT1, 5n],
      account: poor,
    });
    assert.fail('simulateContract did not revert');
  } catch (err) {
    assert.ok(err instanceof BaseError, String(err));
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    assert.ok(reverted, `no ContractFunctionRevertedError in: ${err.message}`);
    assert.equal(reverted.data?.errorName, 'ERC20InsufficientBalance', err.message);
    assert.deepEqual(reverted.data.args, [poor, 0n, 5n]);
  }
});

test('a require-string revert is decoded by ethers (Error(string))', async () => {
  await assert.rejects(token.failWithReason(), (err) => {
    assert.equal(err.code, 'CALL_EXCEPTION', err.message);
    assert.equal(err.reason, 'TestToken: always fails', err.message);
    return true;
  });
});

async function permitTypedData(ownerAddress, spender, value, deadline) {
  const domain = { name: 'Test Token', version: '1', chainId: 31337, verifyingContract: await token.getAddress() };
  const types = {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  };
  const message = { owner: ownerAddress, spender, value, nonce: await token.nonces(ownerAddress), deadline };
  return { domain, types, message };
}

test('EIP-712 domain separator of the token matches the one ethers computes', async () => {
  const { domain } = await permitTypedData(ACCOUNT0, ACCOUNT1, 1n, MaxUint256);
  const { TypedDataEncoder } = await import('ethers');
  assert.equal(await token.DOMAIN_SEPARATOR(), TypedDataEncoder.hashDomain(domain));
});

test('permit signed by the node (eth_signTypedData_v4) equals the local Wallet signature and works on chain', async () => {
  const spender = ACCOUNT2;
  const value = parseUnits('42', 18);
  const { domain, types, message } = await permitTypedData(ACCOUNT0, spender, value, MaxUint256);
  const nodeSignature = await owner.signTypedData(domain, types, message); // eth_signTypedData_v4
  const localSignature = await localWallet(0).signTypedData(domain, types, message);
  // RFC 6979 signatures are deterministic: the node must produce the very same bytes.
  assert.equal(nodeSignature, localSignature);
  const { v, r, s } = Signature.from(nodeSignature);
  const submitter = token.connect(await provider.getSigner(spender));
  const receipt = await (await submitter.permit(ACCOUNT0, spender, value, MaxUint256, v, r, s)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await token.allowance(ACCOUNT0, spender), value);
  assert.equal(await token.nonces(ACCOUNT0), message.nonce + 1n);
});

test('permit signed by a local Wallet works on chain, then transferFrom uses the allowance', async () => {
  const holder = localWallet(7, provider);
  await (await token.transfer(holder.address, 1000n)).wait();
  const spender = ACCOUNT1;
  const deadline = BigInt((await provider.getBlock('latest')).timestamp) + 3600n;
  const { domain, types, message } = await permitTypedData(holder.address, spender, 600n, deadline);
  const { v, r, s } = Signature.from(await holder.signTypedData(domain, types, message));
  const asSpender = token.connect(await provider.getSigner(spender));
  assert.equal((await (await asSpender.permit(holder.address, spender, 600n, deadline, v, r, s)).wait()).status, 1);
  assert.equal(await token.allowance(holder.address, spender), 600n);
  const before = await token.balanceOf(ACCOUNT2);
  await (await asSpender.transferFrom(holder.address, ACCOUNT2, 600n)).wait();
  assert.equal(await token.balanceOf(ACCOUNT2), before + 600n);
  assert.equal(await token.balanceOf(holder.address), 400n);
  assert.equal(await token.allowance(holder.address, spender), 0n);
});

test('permit with a signature by the wrong key reverts with ERC2612InvalidSigner', async () => {
  const { domain, types, message } = await permitTypedData(ACCOUNT0, ACCOUNT1, 5n, MaxUint256);
  const { v, r, s } = Signature.from(await localWallet(8).signTypedData(domain, types, message));
  await assert.rejects(token.permit.staticCall(ACCOUNT0, ACCOUNT1, 5n, MaxUint256, v, r, s), (err) => {
    assert.equal(err.revert?.name, 'ERC2612InvalidSigner', err.message);
    assert.equal(err.revert.args[0], localWallet(8).address);
    return true;
  });
});
