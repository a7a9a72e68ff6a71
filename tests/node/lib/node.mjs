// Connects the tests to the node that run.sh started (POLYVM_RPC_URL), with ethers, viem and raw
// JSON-RPC; also deploys the compiled test contracts.
import { ContractFactory, JsonRpcProvider, Wallet, HDNodeWallet, Mnemonic } from 'ethers';
import { createPublicClient, createWalletClient, http, defineChain } from 'viem';
import { loadContracts } from './contracts.mjs';

export const RPC_URL = process.env.POLYVM_RPC_URL;
if (!RPC_URL) throw new Error('POLYVM_RPC_URL is not set: run the suite through tests/node/run.sh');
export const WS_URL = RPC_URL.replace(/^http/, 'ws');

export const CHAIN_ID = 31337n;
// The Anvil default mnemonic and its first accounts (m/44'/60'/0'/0/i), computed independently of polyvm.
export const MNEMONIC = 'test test test test test test test test test test test junk';
export const ACCOUNT0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const ACCOUNT1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const ACCOUNT2 = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

export function localWallet(index, provider) {
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${index}`);
  return provider ? wallet.connect(provider) : wallet;
}

export function ethersProvider() {
  const provider = new JsonRpcProvider(RPC_URL, Number(CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 });
  provider.pollingInterval = 50; // tx.wait() polls; automine makes receipts immediate
  return provider;
}

export const polyvmChain = defineChain({
  id: Number(CHAIN_ID),
  name: 'polyvm dev',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [RPC_URL] } },
});

export function viemClients(account) {
  const transport = http(RPC_URL);
  return {
    publicClient: createPublicClient({ chain: polyvmChain, transport, pollingInterval: 50 }),
    walletClient: createWalletClient({ chain: polyvmChain, transport, account }),
  };
}

let nextId = 1;
// Raw JSON-RPC: returns the whole response object ({ result } or { error }).
export async function rpcRaw(method, params = []) {
  const response = await fetch(RPC_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  return response.json();
}

// Raw JSON-RPC that throws on an error response.
export async function rpc(method, params = []) {
  const reply = await rpcRaw(method, params);
  if (reply.error) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

export async function deploy(signer, name, ...args) {
  const { abi, bytecode } = loadContracts()[name];
  const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract;
}

export function artifact(name) {
  return loadContracts()[name];
}

export { Wallet };
