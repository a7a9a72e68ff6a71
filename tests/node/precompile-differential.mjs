#!/usr/bin/env node
// Differential check of polyvm's own curve and KZG code against independent implementations:
// @noble/curves (BN254, BLS12-381, P-256) and c-kzg (the point evaluation), on random inputs,
// valid and invalid. polyvm answers through `eth_call` to each precompile on a `polyvm node` this
// script starts (Osaka, so every precompile exists); the expected answer is computed here from the
// precompile's EIP with the other library's arithmetic. Any difference in success or output
// bytes is reported with the input, and the exit status is 1.
//
// usage: node tests/node/precompile-differential.mjs <polyvm> [--cases N] [--seed S] [--only a,b]
//   --cases N   random inputs per precompile (default 60)
//   --seed S    the inputs are a function of the seed (default 1): a reported input reproduces
//   --only      a comma-separated subset of the names below
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { bn254 } from '@noble/curves/bn254';
import { bls12_381 } from '@noble/curves/bls12-381';
import { p256 } from '@noble/curves/p256';

const require = createRequire(import.meta.url);
const kzg = require('c-kzg');

// ---- Arguments ----
const args = process.argv.slice(2);
const binary = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
if (!binary) {
  console.error('usage: precompile-differential.mjs <polyvm> [--cases N] [--seed S] [--only NAME,...]');
  process.exit(2);
}
const CASES = Number(option('cases', '60'));
const SEED = option('seed', '1');
const ONLY = option('only', '') ? option('only', '').split(',') : null;
if (!Number.isInteger(CASES) || CASES < 1) {
  console.error('--cases: expected a positive integer');
  process.exit(2);
}

// ---- Deterministic random bytes: SHA-256 of (seed, stream, counter) ----
class Random {
  constructor(stream) {
    this.prefix = `${SEED}/${stream}/`;
    this.counter = 0;
    this.pool = Buffer.alloc(0);
  }
  bytes(n) {
    while (this.pool.length < n)
      this.pool = Buffer.concat([this.pool, createHash('sha256').update(this.prefix + this.counter++).digest()]);
    const out = this.pool.subarray(0, n);
    this.pool = this.pool.subarray(n);
    return Buffer.from(out);
  }
  int(n) { return this.bytes(4).readUInt32BE(0) % n; }       // 0 <= result < n
  chance(percent) { return this.int(100) < percent; }
  big(bits) { return BigInt('0x' + this.bytes(Math.ceil(bits / 8)).toString('hex')) >> BigInt(Math.ceil(bits / 8) * 8 - bits); }
  below(n) { return this.big(n.toString(2).length + 64) % n; }
}

// ---- Encoding helpers ----
const be = (x, length) => Buffer.from(x.toString(16).padStart(length * 2, '0'), 'hex');
const toBig = (bytes) => (bytes.length ? BigInt('0x' + Buffer.from(bytes).toString('hex')) : 0n);
const hex = (bytes) => '0x' + Buffer.from(bytes).toString('hex');
/** Tries f; any exception means the input is invalid for that library. */
const attempt = (f) => { try { return f(); } catch { return undefined; } };

/** y^2 = x^3 + b (a = 0 on every curve here), in the field `Fp` the coordinates belong to. */
const curveRhs = (Fp, b, x) => Fp.add(Fp.mul(Fp.sqr(x), x), b);
const isOnCurve = (Fp, b, x, y) => Fp.eql(Fp.sqr(y), curveRhs(Fp, b, x));

// ---- BN254 (EIP-196, EIP-197) ----
const BN = { Fp: bn254.fields.Fp, Fp2: bn254.fields.Fp2, Fp12: bn254.fields.Fp12, G1: bn254.G1.ProjectivePoint, G2: bn254.G2.ProjectivePoint };
BN.p = BN.Fp.ORDER;
BN.r = bn254.G1.CURVE.n;
BN.b2 = bn254.G2.CURVE.b;  // the twist's b: 3 / (9 + i)

function bnG1Encode(P) {
  if (P.equals(BN.G1.ZERO)) return Buffer.alloc(64);
  const { x, y } = P.toAffine();
  return Buffer.concat([be(x, 32), be(y, 32)]);
}
/** A G1 point from 64 bytes: (0, 0) is infinity, coordinates below p, on the curve. */
function bnG1Decode(bytes) {
  const x = toBig(bytes.subarray(0, 32)), y = toBig(bytes.subarray(32, 64));
  if (x === 0n && y === 0n) return BN.G1.ZERO;
  if (x >= BN.p || y >= BN.p) return undefined;
  if (!isOnCurve(BN.Fp, 3n, x, y)) return undefined;
  return BN.G1.fromAffine({ x, y });
}
// EIP-197 writes an element of Fp2 a*i + b as (a, b): the imaginary part first.
function bnG2Encode(P) {
  if (P.equals(BN.G2.ZERO)) return Buffer.alloc(128);
  const { x, y } = P.toAffine();
  return Buffer.concat([be(x.c1, 32), be(x.c0, 32), be(y.c1, 32), be(y.c0, 32)]);
}
function bnG2Decode(bytes) {
  const w = [0, 1, 2, 3].map((i) => toBig(bytes.subarray(32 * i, 32 * i + 32)));
  if (w.some((v) => v >= BN.p)) return undefined;
  if (w.every((v) => v === 0n)) return BN.G2.ZERO;
  const x = BN.Fp2.create({ c0: w[1], c1: w[0] }), y = BN.Fp2.create({ c0: w[3], c1: w[2] });
  if (!isOnCurve(BN.Fp2, BN.b2, x, y)) return undefined;
  const P = BN.G2.fromAffine({ x, y });
  if (!P.isTorsionFree()) return undefined;  // EIP-197: G2 points must be in the subgroup of order r
  return P;
}

// ---- BLS12-381 (EIP-2537) ----
const BLS = { Fp: bls12_381.fields.Fp, Fp2: bls12_381.fields.Fp2, Fp12: bls12_381.fields.Fp12, G1: bls12_381.G1.ProjectivePoint, G2: bls12_381.G2.ProjectivePoint };
BLS.p = BLS.Fp.ORDER;
BLS.r = bls12_381.G1.CURVE.n;
BLS.b2 = BLS.Fp2.create({ c0: 4n, c1: 4n });  // G2: y^2 = x^3 + 4(1 + i)

/** 64 bytes: 16 zero bytes, then the 48-byte element. */
const blsFpEncode = (x) => be(x, 64);
function blsFpDecode(bytes) {
  if (bytes.subarray(0, 16).some((b) => b !== 0)) return undefined;
  const x = toBig(bytes.subarray(16, 64));
  return x < BLS.p ? x : undefined;
}
function blsG1Encode(P) {
  if (P.equals(BLS.G1.ZERO)) return Buffer.alloc(128);
  const { x, y } = P.toAffine();
  return Buffer.concat([blsFpEncode(x), blsFpEncode(y)]);
}
function blsG1Decode(bytes, subgroup) {
  const x = blsFpDecode(bytes.subarray(0, 64)), y = blsFpDecode(bytes.subarray(64, 128));
  if (x === undefined || y === undefined) return undefined;
  if (x === 0n && y === 0n) return BLS.G1.ZERO;
  if (!isOnCurve(BLS.Fp, 4n, x, y)) return undefined;
  const P = BLS.G1.fromAffine({ x, y });
  return subgroup && !P.isTorsionFree() ? undefined : P;
}
function blsG2Encode(P) {
  if (P.equals(BLS.G2.ZERO)) return Buffer.alloc(256);
  const { x, y } = P.toAffine();
  return Buffer.concat([blsFpEncode(x.c0), blsFpEncode(x.c1), blsFpEncode(y.c0), blsFpEncode(y.c1)]);
}
function blsG2Decode(bytes, subgroup) {
  const w = [0, 1, 2, 3].map((i) => blsFpDecode(bytes.subarray(64 * i, 64 * i + 64)));
  if (w.some((v) => v === undefined)) return undefined;
  if (w.every((v) => v === 0n)) return BLS.G2.ZERO;
  const x = BLS.Fp2.create({ c0: w[0], c1: w[1] }), y = BLS.Fp2.create({ c0: w[2], c1: w[3] });
  if (!isOnCurve(BLS.Fp2, BLS.b2, x, y)) return undefined;
  const P = BLS.G2.fromAffine({ x, y });
  return subgroup && !P.isTorsionFree() ? undefined : P;
}

// ---- Random points: in the subgroup, on the curve only, off the curve ----
/** An on-curve point from a random x (retrying until x^3 + b is a square), usually outside the subgroup. */
function onCurve(rnd, Fp, b, Point, randomElement) {
  for (;;) {
    const x = randomElement();
    const y2 = curveRhs(Fp, b, x);
    const y = attempt(() => Fp.sqrt(y2));
    if (y !== undefined && Fp.eql(Fp.sqr(y), y2)) return Point.fromAffine({ x, y: rnd.chance(50) ? y : Fp.neg(y) });
  }
}
const blsFp2Random = (rnd) => BLS.Fp2.create({ c0: rnd.below(BLS.p), c1: rnd.below(BLS.p) });
const bnFp2Random = (rnd) => BN.Fp2.create({ c0: rnd.below(BN.p), c1: rnd.below(BN.p) });

/** A point to encode, and whether an expected decoding can hold it: kinds mixed by chance. */
function randomPoint(rnd, curve, earlier) {
  const k = rnd.int(100);
  if (k < 8) return curve.G.ZERO;
  if (k < 16 && earlier) return rnd.chance(50) ? earlier : earlier.negate();  // doubling, P + (-P)
  if (k < 30 && curve.offSubgroup) return curve.offSubgroup(rnd);
  return curve.G.BASE.multiply(1n + rnd.below(curve.r - 1n));
}

/** Mangles an encoded input the way attackers do: a flipped bit, an extra or missing byte,
 *  a coordinate plus p, bytes in the padding. The result may still be valid. */
function mangle(rnd, input, fieldSize, p) {
  const out = Buffer.from(input);
  switch (rnd.int(5)) {
    case 0: if (out.length) out[rnd.int(out.length)] ^= 1 << rnd.int(8); return out;
    case 1: return Buffer.concat([out, rnd.bytes(1 + rnd.int(3))]);
    case 2: return out.subarray(0, Math.max(0, out.length - 1 - rnd.int(3)));
    case 3: {
      if (out.length < fieldSize) return out;
      const at = fieldSize * rnd.int(Math.floor(out.length / fieldSize));
      const v = toBig(out.subarray(at, at + fieldSize)) + p;
      if (v < 1n << BigInt(8 * fieldSize)) be(v, fieldSize).copy(out, at);
      return out;
    }
    default: if (fieldSize === 64 && out.length >= 64) out[64 * rnd.int(Math.floor(out.length / 64)) + rnd.int(16)] |= 1; return out;
  }
}

// ---- The precompiles: address, input generator, expected result (Buffer, or undefined for failure) ----
const bnCurve = { G: BN.G1, r: BN.r };
const bnG2Curve = { G: BN.G2, r: BN.r, offSubgroup: (rnd) => onCurve(rnd, BN.Fp2, BN.b2, BN.G2, () => bnFp2Random(rnd)) };
const blsG1Curve = { G: BLS.G1, r: BLS.r, offSubgroup: (rnd) => onCurve(rnd, BLS.Fp, 4n, BLS.G1, () => rnd.below(BLS.p)) };
const blsG2Curve = { G: BLS.G2, r: BLS.r, offSubgroup: (rnd) => onCurve(rnd, BLS.Fp2, BLS.b2, BLS.G2, () => blsFp2Random(rnd)) };
const randomScalar = (rnd, r) => (rnd.chance(10) ? [0n, 1n, r - 1n, r, (1n << 256n) - 1n][rnd.int(5)] : rnd.chance(50) ? rnd.below(r) : rnd.big(256));
const pairs = (rnd, max) => 1 + rnd.int(max);

const BN_TRUE = be(1n, 32), BN_FALSE = be(0n, 32);

const precompiles = [
  {
    name: 'bn254_add', address: 0x06,
    input(rnd) {
      const P = randomPoint(rnd, bnCurve);
      const Q = randomPoint(rnd, bnCurve, P);
      const input = Buffer.concat([bnG1Encode(P), bnG1Encode(Q)]);
      return rnd.chance(25) ? mangle(rnd, input, 32, BN.p) : input;
    },
    expected(input) {
      const padded = Buffer.concat([input, Buffer.alloc(128)]).subarray(0, 128);  // EIP-196: zero-padded, extra ignored
      const P = bnG1Decode(padded.subarray(0, 64)), Q = bnG1Decode(padded.subarray(64, 128));
      return P && Q ? bnG1Encode(P.add(Q)) : undefined;
    },
  },
  {
    name: 'bn254_mul', address: 0x07,
    input(rnd) {
      const input = Buffer.concat([bnG1Encode(randomPoint(rnd, bnCurve)), be(randomScalar(rnd, BN.r) % (1n << 256n), 32)]);
      return rnd.chance(25) ? mangle(rnd, input, 32, BN.p) : input;
    },
    expected(input) {
      const padded = Buffer.concat([input, Buffer.alloc(96)]).subarray(0, 96);
      const P = bnG1Decode(padded.subarray(0, 64));
      if (!P) return undefined;
      const s = toBig(padded.subarray(64, 96)) % BN.r;  // G1 has prime order r
      return bnG1Encode(s === 0n ? BN.G1.ZERO : P.multiplyUnsafe(s));
    },
  },
  pairingPrecompile('bn254_pairing', 0x08, {
    g1: bnCurve, g2: bnG2Curve, g1Size: 64, g2Size: 128, fieldSize: 32, p: BN.p, minPairs: 0,
    encode1: bnG1Encode, encode2: bnG2Encode, decode1: bnG1Decode, decode2: bnG2Decode, pairingBatch: bn254.pairingBatch, Fp12: BN.Fp12,
  }),
  {
    name: 'point_evaluation', address: 0x0a,
    input(rnd) {
      const setup = kzgSamples();
      const sample = setup[rnd.int(setup.length)];
      const z = rnd.chance(90) ? be(rnd.below(BLS.r), 32) : be(BLS.r + rnd.below(1000n), 32);
      const [proof, y] = attempt(() => kzg.computeKzgProof(sample.blob, z)) ?? [rnd.bytes(48), rnd.bytes(32)];
      const input = Buffer.concat([versionedHash(sample.commitment), z, Buffer.from(y), sample.commitment, Buffer.from(proof)]);
      if (!rnd.chance(40)) return input;
      const out = Buffer.from(input);
      switch (rnd.int(4)) {
        case 0: out[32 + rnd.int(160)] ^= 1 << rnd.int(8); return out;             // z, y, commitment or proof
        case 1: out[rnd.int(32)] ^= 1; return out;                                  // the versioned hash
        case 2: be(toBig(out.subarray(64, 96)) + BLS.r < 1n << 256n ? toBig(out.subarray(64, 96)) + BLS.r : 0n, 32).copy(out, 64); return out;  // y + r
        default: return mangle(rnd, input, 32, BLS.r);
      }
    },
    expected(input) {
      if (input.length !== 192) return undefined;
      const commitment = input.subarray(96, 144);
      if (!versionedHash(commitment).equals(input.subarray(0, 32))) return undefined;
      const ok = attempt(() => kzg.verifyKzgProof(commitment, input.subarray(32, 64), input.subarray(64, 96), input.subarray(144, 192)));
      return ok ? Buffer.concat([be(4096n, 32), be(BLS.r, 32)]) : undefined;  // FIELD_ELEMENTS_PER_BLOB, BLS_MODULUS
    },
  },
  additionPrecompile('bls12_g1add', 0x0b, blsG1Curve, 128, blsG1Encode, blsG1Decode),
  msmPrecompile('bls12_g1msm', 0x0c, blsG1Curve, 128, 4, blsG1Encode, blsG1Decode),
  additionPrecompile('bls12_g2add', 0x0d, blsG2Curve, 256, blsG2Encode, blsG2Decode),
  msmPrecompile('bls12_g2msm', 0x0e, blsG2Curve, 256, 3, blsG2Encode, blsG2Decode),
  pairingPrecompile('bls12_pairing', 0x0f, {
    g1: blsG1Curve, g2: blsG2Curve, g1Size: 128, g2Size: 256, fieldSize: 64, p: BLS.p, minPairs: 1,
    encode1: blsG1Encode, encode2: blsG2Encode, decode1: (b) => blsG1Decode(b, true), decode2: (b) => blsG2Decode(b, true),
    pairingBatch: bls12_381.pairingBatch, Fp12: BLS.Fp12,
  }),
  {
    name: 'bls12_map_fp_to_g1', address: 0x10,
    input(rnd) {
      const input = blsFpEncode(rnd.chance(5) ? [0n, 1n, BLS.p - 1n][rnd.int(3)] : rnd.below(BLS.p));
      return rnd.chance(25) ? mangle(rnd, input, 64, BLS.p) : input;
    },
    expected(input) {
      if (input.length !== 64) return undefined;
      const u = blsFpDecode(input);
      return u === undefined ? undefined : blsG1Encode(bls12_381.G1.mapToCurve([u]));
    },
  },
  {
    name: 'bls12_map_fp2_to_g2', address: 0x11,
    input(rnd) {
      const input = Buffer.concat([blsFpEncode(rnd.below(BLS.p)), blsFpEncode(rnd.chance(5) ? 0n : rnd.below(BLS.p))]);
      return rnd.chance(25) ? mangle(rnd, input, 64, BLS.p) : input;
    },
    expected(input) {
      if (input.length !== 128) return undefined;
      const c0 = blsFpDecode(input.subarray(0, 64)), c1 = blsFpDecode(input.subarray(64, 128));
      return c0 === undefined || c1 === undefined ? undefined : blsG2Encode(bls12_381.G2.mapToCurve([c0, c1]));
    },
  },
  {
    name: 'p256_verify', address: 0x100,
    input(rnd) {
      const secret = 1n + rnd.below(p256.CURVE.n - 1n);
      const hash = rnd.bytes(32);
      const signature = p256.sign(hash, be(secret, 32), { prehash: false, lowS: false, extraEntropy: false });
      const { x, y } = p256.ProjectivePoint.BASE.multiply(secret).toAffine();
      let [r, s] = [signature.r, signature.s];
      if (rnd.chance(15)) s = p256.CURVE.n - s;                                  // the high-s twin: also valid here
      if (rnd.chance(5)) [r, s] = [[0n, p256.CURVE.n, r + p256.CURVE.n][rnd.int(3)], s];  // out of range
      const input = Buffer.concat([hash, be(r % (1n << 256n), 32), be(s, 32), be(x, 32), be(y, 32)]);
      if (rnd.chance(10)) be(0n, 64).copy(input, 96);                           // (0, 0): not a point
      return rnd.chance(30) ? mangle(rnd, input, 32, p256.CURVE.Fp.ORDER) : input;
    },
    expected(input) {
      // EIP-7951: exactly 160 bytes; r and s in [1, n); the key a point on the curve with
      // coordinates below p; success is 32 bytes of 1, failure empty output (not an error).
      if (input.length !== 160) return Buffer.alloc(0);
      const [h, r, s, x, y] = [0, 1, 2, 3, 4].map((i) => input.subarray(32 * i, 32 * i + 32));
      const [R, S, X, Y] = [r, s, x, y].map(toBig);
      const { n } = p256.CURVE;
      const p = p256.CURVE.Fp.ORDER;
      if (R === 0n || R >= n || S === 0n || S >= n || X >= p || Y >= p || (X === 0n && Y === 0n)) return Buffer.alloc(0);
      const key = attempt(() => { const P = p256.ProjectivePoint.fromAffine({ x: X, y: Y }); P.assertValidity(); return P; });
      if (!key) return Buffer.alloc(0);
      const ok = attempt(() => p256.verify({ r: R, s: S }, h, key.toRawBytes(false), { prehash: false, lowS: false }));
      return ok ? be(1n, 32) : Buffer.alloc(0);
    },
  },
];

/** A pairing check (EIP-197, EIP-2537): (G1, G2) pairs, each point checked (the G2 point in its
 *  subgroup, and the G1 point for BLS12-381), 32 bytes of 1 when the product of the pairings is
 *  one. BN254 takes no pairs (true), BLS12-381 at least one (`minPairs`). Often the product of
 *  e(aP, bQ) and e(-abP, Q), which is one. */
function pairingPrecompile(name, address, c) {
  const pairSize = c.g1Size + c.g2Size;
  return {
    name, address,
    input(rnd) {
      const parts = [];
      if (rnd.chance(50)) {
        const a = 1n + rnd.below(c.g1.r - 1n), b = 1n + rnd.below(c.g1.r - 1n);
        parts.push(c.encode1(c.g1.G.BASE.multiply(a)), c.encode2(c.g2.G.BASE.multiply(b)));
        parts.push(c.encode1(c.g1.G.BASE.multiply((a * b) % c.g1.r).negate()), c.encode2(c.g2.G.BASE));
      }
      for (let n = rnd.int(3) + (parts.length ? 0 : c.minPairs); n > 0; --n)
        parts.push(c.encode1(randomPoint(rnd, c.g1)), c.encode2(randomPoint(rnd, c.g2)));
      const input = Buffer.concat(parts);
      return rnd.chance(25) ? mangle(rnd, input, c.fieldSize, c.p) : input;
    },
    expected(input) {
      if (input.length % pairSize !== 0 || input.length < c.minPairs * pairSize) return undefined;
      const terms = [];
      for (let at = 0; at < input.length; at += pairSize) {
        const P = c.decode1(input.subarray(at, at + c.g1Size)), Q = c.decode2(input.subarray(at + c.g1Size, at + pairSize));
        if (!P || !Q) return undefined;
        if (!P.equals(c.g1.G.ZERO) && !Q.equals(c.g2.G.ZERO)) terms.push({ g1: P, g2: Q });
      }
      if (!terms.length) return BN_TRUE;
      return c.Fp12.eql(c.pairingBatch(terms), c.Fp12.ONE) ? BN_TRUE : BN_FALSE;
    },
  };
}

/** EIP-2537's G1ADD and G2ADD: exactly two points, on the curve (no subgroup check). */
function additionPrecompile(name, address, curve, pointSize, encode, decode) {
  return {
    name, address,
    input(rnd) {
      const P = randomPoint(rnd, curve);
      const input = Buffer.concat([encode(P), encode(randomPoint(rnd, curve, P))]);
      return rnd.chance(25) ? mangle(rnd, input, 64, BLS.p) : input;
    },
    expected(input) {
      if (input.length !== 2 * pointSize) return undefined;
      const P = decode(input.subarray(0, pointSize), false), Q = decode(input.subarray(pointSize), false);
      return P && Q ? encode(P.add(Q)) : undefined;
    },
  };
}

/** EIP-2537's G1MSM and G2MSM: one or more (point in the subgroup, 32-byte scalar) pairs. */
function msmPrecompile(name, address, curve, pointSize, maxPairs, encode, decode) {
  const pairSize = pointSize + 32;
  return {
    name, address,
    input(rnd) {
      const parts = [];
      for (let n = pairs(rnd, maxPairs); n > 0; --n) parts.push(encode(randomPoint(rnd, curve)), be(randomScalar(rnd, BLS.r) % (1n << 256n), 32));
      const input = Buffer.concat(parts);
      return rnd.chance(25) ? mangle(rnd, input, 64, BLS.p) : input;
    },
    expected(input) {
      if (input.length === 0 || input.length % pairSize !== 0) return undefined;
      let sum = curve.G.ZERO;
      for (let at = 0; at < input.length; at += pairSize) {
        const P = decode(input.subarray(at, at + pointSize), true);
        if (!P) return undefined;
        const s = toBig(input.subarray(at + pointSize, at + pairSize)) % BLS.r;  // subgroup points: order r
        if (s !== 0n && !P.equals(curve.G.ZERO)) sum = sum.add(P.multiplyUnsafe(s));
      }
      return encode(sum);
    },
  };
}

// EIP-4844: kzg_to_versioned_hash = 0x01 || sha256(commitment)[1:].
function versionedHash(commitment) {
  const h = createHash('sha256').update(commitment).digest();
  h[0] = 0x01;
  return h;
}
let kzgCache;
/** A few blobs and their commitments (each commitment takes c-kzg a while). */
function kzgSamples() {
  if (kzgCache) return kzgCache;
  kzg.loadTrustedSetup(0);
  const rnd = new Random('blobs');
  kzgCache = [0, 1, 2].map(() => {
    const blob = Buffer.alloc(131072);
    for (let i = 0; i < 4096; i++) be(rnd.below(BLS.r), 32).copy(blob, 32 * i);
    return { blob, commitment: Buffer.from(kzg.blobToKzgCommitment(blob)) };
  });
  return kzgCache;
}

// ---- polyvm's side: a node and batched eth_call ----
async function startNode() {
  const child = spawn(binary, ['node', '--port', '0', '--in-memory', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`polyvm node printed no port: ${output}`)), 15000);
    const read = (chunk) => {
      output += chunk;
      const match = /^Listening on 127\.0\.0\.1:(\d+)/m.exec(output);
      if (match) { clearTimeout(timer); resolve(Number(match[1])); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`polyvm node exited (${code}): ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/** polyvm's answers for these inputs to `address`: output bytes, or undefined where the call failed. */
async function callPrecompile(url, address, inputs) {
  const to = '0x' + address.toString(16).padStart(40, '0');
  const body = inputs.map((input, id) => ({ jsonrpc: '2.0', id, method: 'eth_call', params: [{ to, data: hex(input), gas: '0x1c9c380' }, 'latest'] }));
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answers = await response.json();
  if (!Array.isArray(answers)) throw new Error(`eth_call batch: ${JSON.stringify(answers).slice(0, 200)}`);
  const out = new Array(inputs.length);
  for (const answer of answers) out[answer.id] = answer.error ? undefined : Buffer.from(answer.result.slice(2), 'hex');
  return out;
}

const node = await startNode();
let differences = 0;
try {
  console.log(`precompile differential: seed ${SEED}, ${CASES} inputs per precompile, against @noble/curves and c-kzg`);
  for (const precompile of precompiles) {
    if (ONLY && !ONLY.includes(precompile.name)) continue;
    const rnd = new Random(precompile.name);
    const outcomes = {};  // what the expected answers were: failure, empty, one, zero, a value
    let mine = 0;
    const started = Date.now();
    for (let done = 0; done < CASES;) {
      const batch = [];
      for (; batch.length < 32 && done < CASES; ++done) batch.push(precompile.input(rnd));
      const actual = await callPrecompile(node.url, precompile.address, batch);
      batch.forEach((input, i) => {
        const expected = precompile.expected(input);
        const same = expected === undefined ? actual[i] === undefined : actual[i] !== undefined && expected.equals(actual[i]);
        const kind = expected === undefined ? 'failure' : expected.length === 0 ? 'empty' : expected.equals(BN_TRUE) ? 'one'
          : expected.equals(BN_FALSE) ? 'zero' : 'value';
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
        if (!same) {
          ++differences, ++mine;
          if (mine <= 5)
            console.log(`DIFFERENCE ${precompile.name}: input ${hex(input)}\n  expected ${expected ? hex(expected) : 'failure'}\n  polyvm   ${actual[i] ? hex(actual[i]) : 'failure'}`);
        }
      });
    }
    const kinds = Object.entries(outcomes).map(([kind, count]) => `${kind} ${count}`).join(', ');
    console.log(`${precompile.name.padEnd(20)} ${String(CASES).padStart(7)} inputs (${kinds}): ${mine} differences, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
} finally {
  node.stop();
}
console.log(differences ? `FAILED: ${differences} differences` : 'no differences');
process.exit(differences ? 1 : 0);
