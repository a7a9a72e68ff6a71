// OpenZeppelin ERC-721: mint, transfer, ownerOf, through ethers v6.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ethersProvider, deploy, ACCOUNT0, ACCOUNT1, ACCOUNT2 } from '../lib/node.mjs';

const provider = ethersProvider();
let nft;

before(async () => {
  nft = await deploy(await provider.getSigner(ACCOUNT0), 'TestNft');
});

test('mint gives ownership and emits Transfer from the zero address', async () => {
  const receipt = await (await nft.mint(ACCOUNT1, 1n)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await nft.ownerOf(1n), ACCOUNT1);
  assert.equal(await nft.balanceOf(ACCOUNT1), 1n);
  const [event] = await nft.queryFilter(nft.filters.Transfer(null, null, 1n), receipt.blockNumber, receipt.blockNumber);
  assert.equal(event.args.from, '0x0000000000000000000000000000000000000000');
  assert.equal(event.args.to, ACCOUNT1);
});

test('transferFrom by the owner moves the token', async () => {
  await (await nft.mint(ACCOUNT1, 2n)).wait();
  const asOwner = nft.connect(await provider.getSigner(ACCOUNT1));
  const receipt = await (await asOwner.transferFrom(ACCOUNT1, ACCOUNT2, 2n)).wait();
  assert.equal(receipt.status, 1);
  assert.equal(await nft.ownerOf(2n), ACCOUNT2);
  assert.equal(await nft.balanceOf(ACCOUNT2), 1n);
});

test('transfer by a stranger reverts with ERC721InsufficientApproval; ownerOf of a missing token reverts', async () => {
  await (await nft.mint(ACCOUNT1, 3n)).wait();
  await assert.rejects(nft.transferFrom.staticCall(ACCOUNT1, ACCOUNT0, 3n), (err) => {
    assert.equal(err.revert?.name, 'ERC721InsufficientApproval', err.message);
    return true;
  });
  await assert.rejects(nft.ownerOf(999n), (err) => {
    assert.equal(err.revert?.name, 'ERC721NonexistentToken', err.message);
    assert.equal(err.revert.args[0], 999n);
    return true;
  });
  assert.equal(await nft.ownerOf(3n), ACCOUNT1);
});

test('approve then transferFrom by the approved account', async () => {
  await (await nft.mint(ACCOUNT2, 4n)).wait();
  await (await nft.connect(await provider.getSigner(ACCOUNT2)).approve(ACCOUNT0, 4n)).wait();
  assert.equal(await nft.getApproved(4n), ACCOUNT0);
  await (await nft.transferFrom(ACCOUNT2, ACCOUNT0, 4n)).wait();
  assert.equal(await nft.ownerOf(4n), ACCOUNT0);
  assert.equal(await nft.getApproved(4n), '0x0000000000000000000000000000000000000000');
});
