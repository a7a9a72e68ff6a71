// debug_traceCall of an ERC-20 transfer (not mined) with callTracer and prestateTracer: the
// diffMode pre/post storage holds the balances that balanceOf reads before and after the same
// transfer is really sent.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256, concat, zeroPadValue, toBeHex } from 'ethers';
import { ethersProvider, deploy, rpc, ACCOUNT0 } from '../lib/node.mjs';

const provider = ethersProvider();
const RECIPIENT = '0x00000000000000000000000000000000007ace01';
const AMOUNT = 31337n;
let token;
let call; // the transfer as an eth_call / debug_traceCall request

// OpenZeppelin 5 ERC20 keeps _balances at slot 0: balances[holder] is at keccak(holder . 0).
const balanceSlot = (holder) => BigInt(keccak256(concat([zeroPadValue(holder, 32), toBeHex(0n, 32)])));
// A slot of a prestate storage map, whatever the width of its keys.
const slotValue = (storage, slot) => {
  const key = Object.keys(storage ?? {}).find((k) => BigInt(k) === slot);
  return key === undefined ? undefined : BigInt(storage[key]);
};
// An account of a prestate map, whatever the case of its address.
const accountIn = (map, address) => map[Object.keys(map).find((a) => a.toLowerCase() === address.toLowerCase())];

before(async () => {
  token = await deploy(await provider.getSigner(ACCOUNT0), 'TestToken', 10n ** 24n);
  call = { from: ACCOUNT0, to: await token.getAddress(), data: token.interface.encodeFunctionData('transfer', [RECIPIENT, AMOUNT]) };
});

test('callTracer: one CALL from the sender to the token returning true, with its Transfer log', async () => {
  const trace = await rpc('debug_traceCall', [call, 'latest', { tracer: 'callTracer', tracerConfig: { withLog: true } }]);
  assert.equal(trace.type, 'CALL');
  assert.equal(trace.from.toLowerCase(), ACCOUNT0.toLowerCase());
  assert.equal(trace.to.toLowerCase(), call.to.toLowerCase());
  assert.equal(trace.input, call.data);
  assert.equal(BigInt(trace.output), 1n); // transfer returns true
  assert.equal(trace.calls, undefined);
  assert.equal(trace.logs?.length, 1, JSON.stringify(trace));
  assert.equal(trace.logs[0].topics[0], token.interface.getEvent('Transfer').topicHash);
  assert.equal(BigInt(trace.logs[0].data), AMOUNT);
  assert.equal(await token.balanceOf(RECIPIENT), 0n, 'a traced call changes nothing');
});

test('prestateTracer: the token account before the call, with its code and the sender\'s balance slot', async () => {
  const pre = await rpc('debug_traceCall', [call, 'latest', { tracer: 'prestateTracer' }]);
  const account = accountIn(pre, call.to);
  assert.ok(account, JSON.stringify(pre));
  assert.equal(account.code, await provider.getCode(call.to));
  assert.equal(slotValue(account.storage, balanceSlot(ACCOUNT0)), await token.balanceOf(ACCOUNT0));
});

test('prestateTracer diffMode: pre/post balance slots equal balanceOf before and after the real transfer', async () => {
  const diff = await rpc('debug_traceCall', [call, 'latest', { tracer: 'prestateTracer', tracerConfig: { diffMode: true } }]);
  const [senderBefore, recipientBefore] = [await token.balanceOf(ACCOUNT0), await token.balanceOf(RECIPIENT)];
  assert.equal(recipientBefore, 0n);
  const pre = accountIn(diff.pre, call.to);
  const post = accountIn(diff.post, call.to);
  assert.ok(pre && post, JSON.stringify(diff));
  assert.equal(slotValue(pre.storage, balanceSlot(ACCOUNT0)), senderBefore);
  // geth leaves empty slots out of pre: the recipient's slot is zero there.
  assert.equal(slotValue(pre.storage, balanceSlot(RECIPIENT)) ?? 0n, recipientBefore);
  // Only changed fields appear in post: the code of the token did not change.
  assert.equal(post.code, undefined);

  await (await token.connect(await provider.getSigner(ACCOUNT0)).transfer(RECIPIENT, AMOUNT)).wait();
  assert.equal(slotValue(post.storage, balanceSlot(ACCOUNT0)), await token.balanceOf(ACCOUNT0));
  assert.equal(slotValue(post.storage, balanceSlot(RECIPIENT)), await token.balanceOf(RECIPIENT));
  assert.equal(await token.balanceOf(RECIPIENT), AMOUNT);
});
