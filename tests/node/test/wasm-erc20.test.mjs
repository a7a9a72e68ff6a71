// The WebAssembly ERC-20 (contracts/wasm/src/erc20.c, Stylus's format) deployed with
// eth_sendRawTransaction and used through ethers v6 exactly like a Solidity token: calls, events,
// OpenZeppelin's custom errors, and a call trace. POLYVM_WASM_CONTRACTS (set by run.sh) is the
// folder of the built contracts; `polyvm wasm pack --init-code` turns one into deployment data.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Contract, ContractFactory, Interface, id, zeroPadValue } from 'ethers';
import { ethersProvider, localWallet, rpc, artifact, ACCOUNT1 } from '../lib/node.mjs';

const ABI = [
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address,uint256) returns (bool)',
  'function approve(address,uint256) returns (bool)',
  'function allowance(address,address) view returns (uint256)',
  'function transferFrom(address,address,uint256) returns (bool)',
  'function mint(address,uint256)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
];

const contractsDir = process.env.POLYVM_WASM_CONTRACTS;
const modulePath = contractsDir ? join(contractsDir, 'erc20.wasm') : '';
const available = modulePath !== '' && existsSync(modulePath);
if (!available && process.env.CI === 'true')
  throw new Error(`the WebAssembly contracts are not built (POLYVM_WASM_CONTRACTS=${contractsDir}): need clang and wasm-ld`);
const skip = available ? false : 'the WebAssembly contracts are not built (clang --target=wasm32 and wasm-ld missing)';

const provider = ethersProvider();
// A wallet of its own (account 7): this file's nonces do not depend on the other files.
const wallet = localWallet(7, provider);
let token;
let address;
let deployment;

before(async () => {
  if (skip) return;
  const initCode = execFileSync(process.env.POLYVM_BIN, ['wasm', 'pack', modulePath, '--init-code'], { encoding: 'utf8' }).trim();
  // Signed here, sent with eth_sendRawTransaction.
  const sent = await wallet.sendTransaction({ data: initCode });
  deployment = await sent.wait();
  address = deployment.contractAddress;
  token = new Contract(address, ABI, wallet);
});

test('deploy: the receipt names the contract, whose code is the Stylus program', { skip }, async () => {
  assert.equal(deployment.status, 1);
  const code = await provider.getCode(address);
  assert.ok(code.startsWith('0xeff000'), `code starts ${code.slice(0, 10)}`);
  assert.equal(await token.name(), 'Polyvm Token');
  assert.equal(await token.symbol(), 'PVT');
  assert.equal(await token.decimals(), 18n);
  assert.equal(await token.totalSupply(), 0n);
});

test('mint and transfer move balances and emit Transfer logs that ethers decodes', { skip }, async () => {
  const me = wallet.address;
  const minted = await (await token.mint(me, 1000n)).wait();
  assert.equal(minted.status, 1);
  assert.equal(await token.balanceOf(me), 1000n);
  assert.equal(await token.totalSupply(), 1000n);

  const receipt = await (await token.transfer(ACCOUNT1, 250n)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await token.balanceOf(me), 750n);
  assert.equal(await token.balanceOf(ACCOUNT1), 250n);
  assert.equal(receipt.logs.length, 1);
  const log = receipt.logs[0];
  assert.equal(log.address, address);
  assert.equal(log.topics[0], id('Transfer(address,address,uint256)'));
  assert.equal(log.topics[1], zeroPadValue(me.toLowerCase(), 32));
  assert.equal(log.topics[2], zeroPadValue(ACCOUNT1.toLowerCase(), 32));
  const parsed = token.interface.parseLog(log);
  assert.equal(parsed.name, 'Transfer');
  assert.equal(parsed.args.value, 250n);

  const found = await token.queryFilter(token.filters.Transfer(me, ACCOUNT1), receipt.blockNumber, receipt.blockNumber);
  assert.equal(found.length, 1);
  assert.equal(found[0].transactionHash, receipt.hash);
});

test('a transfer beyond the balance reverts with ERC20InsufficientBalance, decoded by ethers', { skip }, async () => {
  const me = wallet.address;
  const balance = await token.balanceOf(me);
  await assert.rejects(token.transfer.staticCall(ACCOUNT1, balance + 1n), (error) => {
    assert.equal(error.code, 'CALL_EXCEPTION');
    assert.equal(error.revert?.name, 'ERC20InsufficientBalance');
    assert.deepEqual([...error.revert.args], [me, balance, balance + 1n]);
    return true;
  });
  // Mined anyway (an explicit gas limit skips estimation): status 0, nothing moved.
  const sent = await token.transfer(ACCOUNT1, balance + 1n, { gasLimit: 200000n });
  const receipt = await provider.waitForTransaction(sent.hash);
  assert.equal(receipt.status, 0);
  assert.equal(await token.balanceOf(me), balance);
});

test('approve and transferFrom through a second account', { skip }, async () => {
  const me = wallet.address;
  const spender = localWallet(8, provider);
  await (await wallet.sendTransaction({ to: spender.address, value: 10n ** 18n })).wait();
  await (await token.approve(spender.address, 100n)).wait();
  assert.equal(await token.allowance(me, spender.address), 100n);
  const asSpender = token.connect(spender);
  await assert.rejects(asSpender.transferFrom.staticCall(me, ACCOUNT1, 101n), (error) => error.revert?.name === 'ERC20InsufficientAllowance');
  const before = await token.balanceOf(ACCOUNT1);
  await (await asSpender.transferFrom(me, ACCOUNT1, 60n)).wait();
  assert.equal(await token.balanceOf(ACCOUNT1), before + 60n);
  assert.equal(await token.allowance(me, spender.address), 40n);
});

test('eth_estimateGas and a callTracer trace of a call into the WebAssembly contract', { skip }, async () => {
  const data = new Interface(ABI).encodeFunctionData('transfer', [ACCOUNT1, 1n]);
  const estimate = await provider.estimateGas({ from: wallet.address, to: address, data });
  assert.ok(estimate > 21000n && estimate < 1000000n, `estimate ${estimate}`);
  const receipt = await (await token.transfer(ACCOUNT1, 1n)).wait();
  assert.ok(receipt.gasUsed <= estimate, `used ${receipt.gasUsed} > estimate ${estimate}`);
  const trace = await rpc('debug_traceTransaction', [receipt.hash, { tracer: 'callTracer' }]);
  assert.equal(trace.type, 'CALL');
  assert.equal(trace.to.toLowerCase(), address.toLowerCase());
  assert.equal(trace.input, data);
  assert.equal(BigInt(trace.output), 1n); // transfer returns true
  assert.equal(BigInt(trace.gasUsed), receipt.gasUsed);
});

test('a Solidity contract calls the WebAssembly token; its custom error bubbles up through Solidity', { skip }, async () => {
  const me = wallet.address;
  const { abi, bytecode } = artifact('TokenVault');
  const vault = await new ContractFactory(abi, bytecode, wallet).deploy(address);
  await vault.waitForDeployment();
  const vaultAddress = await vault.getAddress();
  await (await token.mint(me, 500n)).wait();
  await (await token.approve(vaultAddress, 300n)).wait();
  const mine = await token.balanceOf(me);

  const receipt = await (await vault.deposit(300n)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await token.balanceOf(vaultAddress), 300n);
  assert.equal(await token.balanceOf(me), mine - 300n);
  assert.equal(await vault.deposited(me), 300n);
  // The token's Transfer (emitted by the WebAssembly contract) and the vault's Deposited, in order.
  assert.deepEqual(receipt.logs.map((log) => log.address), [address, vaultAddress]);
  const deposited = vault.interface.parseLog(receipt.logs[1]);
  assert.equal(deposited.args.vaultBalance, 300n);

  // A revert inside the WebAssembly token, seen through the Solidity caller: ethers decodes the
  // token's error with the token's ABI.
  const errors = new Interface(ABI);
  await assert.rejects(vault.withdraw.staticCall(301n, false), (error) => {
    assert.equal(errors.parseError(error.data)?.name, 'ERC20InsufficientBalance');
    return true;
  });
  await assert.rejects(vault.withdraw.staticCall(301n, true), (error) => error.reason === 'more than deposited');
  // A revert in Solidity after a successful call into WebAssembly undoes the token's transfer too.
  await (await token.approve(vaultAddress, 50n)).wait();
  const failed = await vault.depositAndRevert(50n, { gasLimit: 300000n });
  assert.equal((await provider.waitForTransaction(failed.hash)).status, 0);
  assert.equal(await token.balanceOf(vaultAddress), 300n);
  assert.equal(await token.allowance(me, vaultAddress), 50n);
  await (await vault.withdraw(100n, true)).wait();
  assert.equal(await token.balanceOf(vaultAddress), 200n);
  assert.equal(await vault.deposited(me), 200n);
});
