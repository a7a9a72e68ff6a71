// Writes kzg_blob_vectors.txt: blob KZG commitments, proofs and evaluations, and the cells and
// cell proofs (EIP-7594) of two blobs, computed by c-kzg (the reference implementation, its
// bundled mainnet setup) for blobs that test_kzg_blob.cpp rebuilds from a kind and a seed. Run
// from tests/node (where c-kzg is installed):
//   NODE_PATH=node_modules node ../unit/crypto/data/make_kzg_blob_vectors.cjs > ../unit/crypto/data/kzg_blob_vectors.txt
const kzg = require('c-kzg');
kzg.loadTrustedSetup(0);

const hex = (bytes) => '0x' + Buffer.from(bytes).toString('hex');

// "pattern": byte i is (7 i + seed) mod 256, the first byte of each element 0 (as in
// tests/node/test/blob.test.mjs). "xorshift": bytes from xorshift32 seeded with seed, the first
// byte of each element masked to 6 bits (every element below the modulus).
function makeBlob(kind, seed) {
  const blob = new Uint8Array(131072);
  let state = seed >>> 0;
  for (let i = 0; i < blob.length; i++) {
    if (kind === 'pattern') {
      blob[i] = i % 32 === 0 ? 0 : (i * 7 + seed) & 0xff;
    } else {
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      blob[i] = i % 32 === 0 ? state & 0x3f : state & 0xff;
    }
  }
  return blob;
}

function field(seed) {  // a point below the modulus: 32 bytes, first byte masked
  const z = new Uint8Array(32);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < 32; i++) {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    z[i] = i === 0 ? state & 0x3f : state & 0xff;
  }
  return z;
}

const vectors = [];
for (const [kind, seed] of [['pattern', 1], ['pattern', 2], ['xorshift', 3], ['xorshift', 4], ['xorshift', 5]]) {
  const blob = makeBlob(kind, seed);
  const commitment = kzg.blobToKzgCommitment(blob);
  const proof = kzg.computeBlobKzgProof(blob, commitment);
  if (!kzg.verifyBlobKzgProof(blob, commitment, proof)) throw new Error('c-kzg rejects its own proof');
  const z = field(seed);
  const [, y] = kzg.computeKzgProof(blob, z);
  vectors.push({ kind, seed, commitment: hex(commitment), proof: hex(proof), z: hex(z), y: hex(y) });
}
// A point of the evaluation domain (the 4096th root of unity 7^((r-1)/4096) is element 1 in
// bit-reversed order, where the answer is the blob's own element): z = 1 = omega^0, element 0.
{
  const blob = makeBlob('xorshift', 6);
  const one = new Uint8Array(32); one[31] = 1;
  const [, y] = kzg.computeKzgProof(blob, one);
  const commitment = kzg.blobToKzgCommitment(blob);
  const proof = kzg.computeBlobKzgProof(blob, commitment);
  vectors.push({ kind: 'xorshift', seed: 6, commitment: hex(commitment), proof: hex(proof), z: hex(one), y: hex(y) });
}
// One line per vector: kind seed commitment proof z y (hex), after a header line.
let out = '# from c-kzg ' + require('c-kzg/package.json').version + ' (make_kzg_blob_vectors.cjs): kind seed commitment proof z y\n';
for (const v of vectors) out += [v.kind, v.seed, v.commitment, v.proof, v.z, v.y].join(' ') + '\n';
// Cells: "cells kind seed commitment sha256(all 128 cells) proof_0 ... proof_127".
const crypto = require('crypto');
for (const [kind, seed] of [['pattern', 1], ['xorshift', 3]]) {
  const blob = makeBlob(kind, seed);
  const commitment = kzg.blobToKzgCommitment(blob);
  const [cells, proofs] = kzg.computeCellsAndKzgProofs(blob);
  const indices = cells.map((_, i) => i);
  if (!kzg.verifyCellKzgProofBatch(cells.map(() => commitment), indices, cells, proofs)) throw new Error('c-kzg rejects its cells');
  const digest = crypto.createHash('sha256').update(Buffer.concat(cells.map((c) => Buffer.from(c)))).digest();
  out += ['cells', kind, seed, hex(commitment), hex(digest), ...proofs.map(hex)].join(' ') + '\n';
}
process.stdout.write(out);
