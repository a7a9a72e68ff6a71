// Verifies a Merkle-Patricia trie proof (the accountProof / storageProof of eth_getProof, EIP-1186)
// against a root hash, written from the Yellow Paper's trie definition (appendix D): branch nodes
// of 17 items, extension and leaf nodes of 2 items with a hex-prefix encoded path, and children
// referenced by their keccak-256 hash, or embedded in the parent when their RLP is under 32 bytes.
import { decodeRlp, encodeRlp, getBytes, hexlify, keccak256, toBeHex } from 'ethers';

// keccak256(rlp('')): the root of an empty trie (an account without storage, an empty state).
export const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

function toNibbles(bytes) {
  const nibbles = [];
  for (const byte of getBytes(bytes)) nibbles.push(byte >> 4, byte & 0x0f);
  return nibbles;
}

// Hex-prefix decoding (Yellow Paper appendix C): the first nibble holds the leaf flag (2) and
// the odd-length flag (1); an even path carries one padding nibble after it.
function decodePath(encoded) {
  const nibbles = toNibbles(encoded);
  if (nibbles.length === 0 || nibbles[0] > 3) throw new Error(`bad hex-prefix path ${encoded}`);
  const isLeaf = nibbles[0] >= 2;
  const isOdd = (nibbles[0] & 1) === 1;
  if (!isOdd && nibbles[1] !== 0) throw new Error(`bad hex-prefix padding in ${encoded}`);
  return { isLeaf, path: nibbles.slice(isOdd ? 1 : 2) };
}

// Returns the value stored under `key` (hex bytes, already hashed for the secure trie) as hex,
// or null when the proof shows that the key is absent. Throws when the proof does not match
// `root`, is malformed, or carries nodes that are not on the key's path.
export function verifyTrieProof(root, key, proof) {
  const keyNibbles = toNibbles(key);
  let position = 0; // nibbles of the key consumed so far
  let used = 0; // proof nodes consumed so far
  if (proof.length === 0) {
    if (root.toLowerCase() !== EMPTY_TRIE_ROOT) throw new Error('empty proof for a non-empty trie');
    return null;
  }

  // Resolves a child reference: a 32-byte hash names the next proof node; a list is an
  // embedded node; empty means nothing is stored there.
  const follow = (reference) => {
    if (Array.isArray(reference)) {
      if (getBytes(encodeRlp(reference)).length >= 32) throw new Error('embedded node of 32 bytes or more');
      return reference;
    }
    if (reference === '0x') return null;
    if (getBytes(reference).length !== 32) throw new Error(`bad child reference ${reference}`);
    if (used >= proof.length) throw new Error(`proof ends before node ${reference}`);
    const encoded = proof[used++];
    if (keccak256(encoded) !== reference.toLowerCase()) throw new Error(`proof node ${used - 1} does not hash to ${reference}`);
    return decodeRlp(encoded);
  };

  const finish = (value) => {
    if (used !== proof.length) throw new Error(`proof has ${proof.length - used} nodes off the key's path`);
    return value;
  };

  let node = follow(hexlify(getBytes(root)).toLowerCase());
  for (;;) {
    if (node === null) return finish(null);
    if (!Array.isArray(node)) throw new Error('a trie node is not a list');
    if (node.length === 17) {
      if (position === keyNibbles.length) return finish(node[16] === '0x' ? null : node[16]);
      node = follow(node[keyNibbles[position++]]);
      continue;
    }
    if (node.length !== 2) throw new Error(`trie node of ${node.length} items`);
    const { isLeaf, path } = decodePath(node[0]);
    const rest = keyNibbles.slice(position, position + path.length);
    const matches = rest.length === path.length && rest.every((n, i) => n === path[i]);
    if (isLeaf) return finish(matches && position + path.length === keyNibbles.length ? node[1] : null);
    if (!matches) return finish(null); // the extension leads elsewhere: the key is absent
    position += path.length;
    node = follow(node[1]);
  }
}

// Account proof -> { nonce, balance, storageHash, codeHash } (bigints and hex), or null if absent.
export function verifyAccountProof(stateRoot, address, accountProof) {
  const leaf = verifyTrieProof(stateRoot, keccak256(address), accountProof);
  if (leaf === null) return null;
  const [nonce, balance, storageHash, codeHash] = decodeRlp(leaf);
  return { nonce: BigInt(nonce === '0x' ? 0 : nonce), balance: BigInt(balance === '0x' ? 0 : balance), storageHash, codeHash };
}

// Storage proof -> the slot's value as a bigint (0 when absent: zero values are not stored).
// The trie key is keccak256 of the slot as 32 bytes.
export function verifyStorageProof(storageHash, slot, storageProof) {
  const leaf = verifyTrieProof(storageHash, keccak256(toBeHex(BigInt(slot), 32)), storageProof);
  if (leaf === null) return 0n;
  const value = decodeRlp(leaf);
  return value === '0x' ? 0n : BigInt(value);
}
