// EIP-7702 (type 4): a fresh EOA signs an authorization with viem, a funded sponsor sends it;
// the EOA's code becomes the delegation designator 0xef0100 || address and calls to the EOA run
// the delegate's code on the EOA's own storage. Delegating to the zero address clears it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFunctionData, parseEventLogs, zeroAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { viemClients, artifact, localWallet, ACCOUNT0 } from '../lib/node.mjs';

const { abi, bytecode } = artifact('Delegate');
const sponsor = privateKeyToAccount(localWallet(2).privateKey);
const authority = privateKeyToAccount(generatePrivateKey()); // no ether: the sponsor pays
const { publicClient, walletClient } = viemClients(sponsor);
let delegate; // address of the Delegate contract

before(async () => {
  const { walletClient: deployer } = viemClients(ACCOUNT0);
  const hash = await deployer.deployContract({ abi, bytecode });
  delegate = (await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })).contractAddress;
});

test('a type-4 transaction sets the delegation designator and runs the delegate in the EOA', async () => {
  const authorization = await walletClient.signAuthorization({ account: authority, contractAddress: delegate });
  assert.equal(authorization.nonce, 0);
  const hash = await walletClient.sendTransaction({
    authorizationList: [authorization], to: authority.address, data: encodeFunctionData({ abi, functionName: 'ping', args: [7n] }),
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.equal(receipt.status, 'success');
  assert.equal(receipt.type, 'eip7702');
  assert.equal(await publicClient.getCode({ address: authority.address }), `0xef0100${delegate.slice(2).toLowerCase()}`);
  // The authorization bumps the authority's nonce (EIP-7702); the sponsor's transaction its own.
  assert.equal(await publicClient.getTransactionCount({ address: authority.address }), 1);
  // The delegate ran as the EOA: address(this) is the EOA, the counter lives in its storage.
  const [pinged] = parseEventLogs({ abi, logs: receipt.logs, eventName: 'Pinged' });
  assert.equal(pinged.address.toLowerCase(), authority.address.toLowerCase());
  assert.equal(pinged.args.self, authority.address);
  assert.equal(pinged.args.sender, sponsor.address);
  assert.equal(await publicClient.readContract({ address: authority.address, abi, functionName: 'counter' }), 7n);
  assert.equal(await publicClient.readContract({ address: delegate, abi, functionName: 'counter' }), 0n);
  const tx = await publicClient.getTransaction({ hash });
  assert.equal(tx.type, 'eip7702');
  assert.equal(tx.authorizationList.length, 1);
  assert.equal(tx.authorizationList[0].address.toLowerCase(), delegate.toLowerCase());
  // r is a quantity in the node's answer (as geth and Anvil write it) and 32-byte hex in viem's
  // signature: compare the numbers (the strings differ when r has a leading zero digit).
  assert.equal(BigInt(tx.authorizationList[0].r), BigInt(authorization.r));
});

test('a later plain call to the delegated EOA runs the delegate again', async () => {
  const hash = await walletClient.writeContract({ address: authority.address, abi, functionName: 'ping', args: [5n] });
  assert.equal((await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })).status, 'success');
  assert.equal(await publicClient.readContract({ address: authority.address, abi, functionName: 'counter' }), 12n);
});

test('an authorization to the zero address clears the delegation', async () => {
  const authorization = await walletClient.signAuthorization({ account: authority, contractAddress: zeroAddress });
  assert.equal(authorization.nonce, 1);
  const hash = await walletClient.sendTransaction({ authorizationList: [authorization], to: sponsor.address });
  assert.equal((await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })).status, 'success');
  assert.equal(await publicClient.getCode({ address: authority.address }), undefined); // viem: '0x' -> undefined
  assert.equal(await publicClient.getTransactionCount({ address: authority.address }), 2);
  // The storage written through the delegation stays with the account.
  assert.equal(BigInt(await publicClient.getStorageAt({ address: authority.address, slot: '0x0' })), 12n);
});
