// Uniswap V2 from its official npm build artifacts (v2-core 1.0.1, v2-periphery 1.1.0-beta.0):
// factory, WETH9 and Router02 deployed through ethers; liquidity, swaps and their events. Expected
// amounts come from the constant-product formula with the 0.3% fee (Uniswap V2 whitepaper).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Contract, ContractFactory, Interface, MaxUint256, parseEther, getCreate2Address, keccak256, solidityPacked } from 'ethers';
import { ethersProvider, deploy, ACCOUNT0, ACCOUNT1, ACCOUNT2 } from '../lib/node.mjs';

const require = createRequire(import.meta.url);
const FactoryArtifact = require('@uniswap/v2-core/build/UniswapV2Factory.json');
const PairArtifact = require('@uniswap/v2-core/build/UniswapV2Pair.json');
const Weth9Artifact = require('@uniswap/v2-periphery/build/WETH9.json');
const RouterArtifact = require('@uniswap/v2-periphery/build/UniswapV2Router02.json');
const pairInterface = new Interface(PairArtifact.abi);

const provider = ethersProvider();
const MINIMUM_LIQUIDITY = 1000n; // locked forever by the first mint (UniswapV2Pair)
let signer;
let factory, weth, router, tokenA, tokenB;

async function deployArtifact(artifact, ...args) {
  const contract = await new ContractFactory(artifact.abi, `0x${artifact.bytecode}`, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

// The amount out of one hop, from getAmountOut of UniswapV2Library: 0.3% fee on the input.
function amountOut(amountIn, reserveIn, reserveOut) {
  return (amountIn * 997n * reserveOut) / (reserveIn * 1000n + amountIn * 997n);
}

function sqrt(n) {
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) [x, y] = [y, (y + n / y) / 2n];
  return x;
}

async function pairOf(a, b) {
  return new Contract(await factory.getPair(a, b), PairArtifact.abi, signer);
}

// Reserves of a pair in the order of the given tokens (the pair stores them sorted by address).
async function reservesFor(pair, first) {
  const [r0, r1] = await pair.getReserves();
  return (await pair.token0()) === first ? [r0, r1] : [r1, r0];
}

before(async () => {
  signer = await provider.getSigner(ACCOUNT0);
  factory = await deployArtifact(FactoryArtifact, ACCOUNT0);
  weth = await deployArtifact(Weth9Artifact);
  router = await deployArtifact(RouterArtifact, await factory.getAddress(), await weth.getAddress());
  tokenA = await deploy(signer, 'TestToken', parseEther('1000000'));
  tokenB = await deploy(signer, 'TestToken', parseEther('1000000'));
  for (const token of [tokenA, tokenB]) await (await token.approve(await router.getAddress(), MaxUint256)).wait();
});

test('createPair: getPair both ways is the CREATE2 address of the pair init code', async () => {
  const [a, b] = [await tokenA.getAddress(), await tokenB.getAddress()];
  const receipt = await (await factory.createPair(a, b)).wait();
  assert.equal(receipt.status, 1);
  const [token0, token1] = a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
  const expected = getCreate2Address(await factory.getAddress(), keccak256(solidityPacked(['address', 'address'], [token0, token1])),
    keccak256(`0x${PairArtifact.bytecode}`));
  assert.equal(await factory.getPair(a, b), expected);
  assert.equal(await factory.getPair(b, a), expected);
  assert.equal(await factory.allPairsLength(), 1n);
  const created = receipt.logs.map((l) => factory.interface.parseLog(l)).find((e) => e?.name === 'PairCreated');
  assert.deepEqual([created.args.token0, created.args.token1, created.args.pair], [token0, token1, expected]);
  const pair = await pairOf(a, b);
  assert.equal(await pair.token0(), token0);
  assert.equal(await pair.factory(), await factory.getAddress());
});

test('addLiquidity: reserves hold the deposits and the LP tokens are sqrt(a*b) - 1000', async () => {
  const [a, b] = [await tokenA.getAddress(), await tokenB.getAddress()];
  const [amountA, amountB] = [parseEther('10000'), parseEther('40000')];
  const receipt = await (await router.addLiquidity(a, b, amountA, amountB, 0n, 0n, ACCOUNT0, MaxUint256)).wait();
  assert.equal(receipt.status, 1);
  const pair = await pairOf(a, b);
  assert.deepEqual(await reservesFor(pair, a), [amountA, amountB]);
  assert.equal(await tokenA.balanceOf(await pair.getAddress()), amountA);
  assert.equal(await pair.balanceOf(ACCOUNT0), sqrt(amountA * amountB) - MINIMUM_LIQUIDITY);
  assert.equal(await pair.totalSupply(), sqrt(amountA * amountB));
});

test('swapExactTokensForTokens: output equals getAmountsOut and the formula; Swap and Sync via getLogs', async () => {
  const [a, b] = [await tokenA.getAddress(), await tokenB.getAddress()];
  const pair = await pairOf(a, b);
  const amountIn = parseEther('100');
  const [reserveA, reserveB] = await reservesFor(pair, a);
  const quoted = (await router.getAmountsOut(amountIn, [a, b]))[1];
  assert.equal(quoted, amountOut(amountIn, reserveA, reserveB));
  const [aBefore, bBefore] = [await tokenA.balanceOf(ACCOUNT0), await tokenB.balanceOf(ACCOUNT1)];
  const receipt = await (await router.swapExactTokensForTokens(amountIn, quoted, [a, b], ACCOUNT1, MaxUint256)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await tokenA.balanceOf(ACCOUNT0), aBefore - amountIn);
  assert.equal(await tokenB.balanceOf(ACCOUNT1), bBefore + quoted);
  assert.deepEqual(await reservesFor(pair, a), [reserveA + amountIn, reserveB - quoted]);

  const pairAddress = await pair.getAddress();
  const aIsToken0 = (await pair.token0()) === a;
  const [swapLog] = await provider.getLogs({ address: pairAddress, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber,
    topics: [pairInterface.getEvent('Swap').topicHash] });
  const swap = pairInterface.parseLog(swapLog);
  assert.equal(swap.args.sender, await router.getAddress());
  assert.equal(swap.args.to, ACCOUNT1);
  assert.deepEqual([swap.args.amount0In, swap.args.amount1In], aIsToken0 ? [amountIn, 0n] : [0n, amountIn]);
  assert.deepEqual([swap.args.amount0Out, swap.args.amount1Out], aIsToken0 ? [0n, quoted] : [quoted, 0n]);
  const syncLogs = await provider.getLogs({ address: pairAddress, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber,
    topics: [pairInterface.getEvent('Sync').topicHash] });
  assert.equal(syncLogs.length, 1);
  const sync = pairInterface.parseLog(syncLogs[0]);
  assert.deepEqual([sync.args.reserve0, sync.args.reserve1], [...(await pair.getReserves())].slice(0, 2));
  assert.ok(swapLog.index > syncLogs[0].index, 'Sync is emitted before Swap');
});

test('addLiquidityETH creates the WETH pair; swapExactETHForTokens pays out getAmountsOut', async () => {
  const a = await tokenA.getAddress();
  const wethAddress = await weth.getAddress();
  const [tokens, ether] = [parseEther('5000'), parseEther('10')];
  assert.equal((await (await router.addLiquidityETH(a, tokens, 0n, 0n, ACCOUNT0, MaxUint256, { value: ether })).wait()).status, 1);
  const pair = await pairOf(a, wethAddress);
  assert.notEqual(await pair.getAddress(), '0x0000000000000000000000000000000000000000');
  assert.deepEqual(await reservesFor(pair, wethAddress), [ether, tokens]);
  assert.equal(await weth.balanceOf(await pair.getAddress()), ether);
  assert.equal(await provider.getBalance(wethAddress), ether); // WETH holds the wrapped ether

  const value = parseEther('1');
  const quoted = (await router.getAmountsOut(value, [wethAddress, a]))[1];
  assert.equal(quoted, amountOut(value, ether, tokens));
  const before = await tokenA.balanceOf(ACCOUNT2);
  const receipt = await (await router.swapExactETHForTokens(quoted, [wethAddress, a], ACCOUNT2, MaxUint256, { value })).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await tokenA.balanceOf(ACCOUNT2), before + quoted);
  assert.deepEqual(await reservesFor(pair, wethAddress), [ether + value, tokens - quoted]);
});

test('removeLiquidity returns the pro-rata share of both reserves', async () => {
  const [a, b] = [await tokenA.getAddress(), await tokenB.getAddress()];
  const pair = await pairOf(a, b);
  const liquidity = await pair.balanceOf(ACCOUNT0);
  const totalSupply = await pair.totalSupply();
  const [reserveA, reserveB] = await reservesFor(pair, a);
  const expectedA = (liquidity * reserveA) / totalSupply;
  const expectedB = (liquidity * reserveB) / totalSupply;
  await (await pair.approve(await router.getAddress(), liquidity)).wait();
  const [aBefore, bBefore] = [await tokenA.balanceOf(ACCOUNT0), await tokenB.balanceOf(ACCOUNT0)];
  const receipt = await (await router.removeLiquidity(a, b, liquidity, 0n, 0n, ACCOUNT0, MaxUint256)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await tokenA.balanceOf(ACCOUNT0), aBefore + expectedA);
  assert.equal(await tokenB.balanceOf(ACCOUNT0), bBefore + expectedB);
  assert.equal(await pair.balanceOf(ACCOUNT0), 0n);
  assert.equal(await pair.totalSupply(), MINIMUM_LIQUIDITY);
  assert.deepEqual(await reservesFor(pair, a), [reserveA - expectedA, reserveB - expectedB]);
  const burn = receipt.logs.filter((l) => l.address === pair.target).map((l) => pairInterface.parseLog(l)).find((e) => e?.name === 'Burn');
  assert.equal(burn.args.to, ACCOUNT0);
});
