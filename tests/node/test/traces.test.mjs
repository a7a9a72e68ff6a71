// debug_traceTransaction: the default struct logger and callTracer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ethersProvider, deploy, rpc, ACCOUNT0, ACCOUNT1 } from '../lib/node.mjs';

const provider = ethersProvider();
let token;
let prober;

before(async () => {
  const signer = await provider.getSigner(ACCOUNT0);
  token = await deploy(signer, 'TestToken', 10n ** 21n);
  prober = await deploy(signer, 'Prober');
});

test('default tracer: structLogs with pc/op/gas/gasCost/depth and the receipt gas', async () => {
  const receipt = await (await token.transfer(ACCOUNT1, 3n)).wait();
  const trace = await rpc('debug_traceTransaction', [receipt.hash]);
  assert.equal(trace.failed, false);
  assert.equal(BigInt(trace.gas), receipt.gasUsed);
  assert.ok(Array.isArray(trace.structLogs) && trace.structLogs.length > 50, 'structLogs non-empty');
  const first = trace.structLogs[0];
  assert.equal(first.pc, 0);
  assert.equal(first.op, 'PUSH1'); // solc's free-memory-pointer prologue: PUSH1 0x80
  assert.equal(first.depth, 1);
  assert.equal(typeof first.gas, 'number');
  assert.equal(typeof first.gasCost, 'number');
  assert.equal(first.gasCost, 3);
  const ops = new Set(trace.structLogs.map((l) => l.op));
  for (const op of ['SLOAD', 'SSTORE', 'LOG3', 'RETURN']) assert.ok(ops.has(op), `has ${op}`);
  // Gas left falls step by step by the cost of the previous step (no calls in a transfer).
  for (let i = 1; i < 20; i++) {
    assert.equal(trace.structLogs[i].gas, trace.structLogs[i - 1].gas - trace.structLogs[i - 1].gasCost, `step ${i}`);
  }
});

test('callTracer shows the nested STATICCALLs of a contract call', async () => {
  const receipt = await (await prober.probe(await token.getAddress(), ACCOUNT0)).wait();
  const trace = await rpc('debug_traceTransaction', [receipt.hash, { tracer: 'callTracer' }]);
  assert.equal(trace.type, 'CALL');
  assert.equal(trace.from.toLowerCase(), ACCOUNT0.toLowerCase());
  assert.equal(trace.to.toLowerCase(), (await prober.getAddress()).toLowerCase());
  assert.equal(BigInt(trace.gasUsed), receipt.gasUsed);
  assert.equal(trace.input, prober.interface.encodeFunctionData('probe', [await token.getAddress(), ACCOUNT0]));
  assert.equal(trace.calls?.length, 2, JSON.stringify(trace));
  const tokenAddress = (await token.getAddress()).toLowerCase();
  assert.deepEqual(trace.calls.map((c) => [c.type, c.to.toLowerCase()]), [['STATICCALL', tokenAddress], ['STATICCALL', tokenAddress]]);
  // solc may evaluate either operand of `a + b` first: find each call by its input.
  const balanceOfInput = token.interface.encodeFunctionData('balanceOf', [ACCOUNT0]);
  const totalSupplyInput = token.interface.encodeFunctionData('totalSupply');
  const totalSupplyCall = trace.calls.find((c) => c.input === totalSupplyInput);
  const balanceOfCall = trace.calls.find((c) => c.input === balanceOfInput);
  assert.ok(totalSupplyCall && balanceOfCall, JSON.stringify(trace.calls));
  assert.equal(BigInt(totalSupplyCall.output), 10n ** 21n);
  assert.equal(BigInt(balanceOfCall.output), await token.balanceOf(ACCOUNT0));
});

test('callTracer of a reverted transaction reports the error and revert reason', async () => {
  const tx = await (await provider.getSigner(ACCOUNT0)).sendTransaction({
    to: await token.getAddress(), data: token.interface.encodeFunctionData('failWithReason'), gasLimit: 100000n,
  });
  const receipt = await provider.waitForTransaction(tx.hash);
  assert.equal(receipt.status, 0);
  const trace = await rpc('debug_traceTransaction', [tx.hash, { tracer: 'callTracer' }]);
  assert.equal(trace.error, 'execution reverted');
  assert.equal(trace.revertReason, 'TestToken: always fails');
});
