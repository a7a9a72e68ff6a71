// SPDX-License-Identifier: MIT
// The P-256 workload of the real-contract benchmarks: ECDSA verification over NIST P-256
// (secp256r1, the curve of passkeys and secure enclaves) in Solidity alone, as wallets did before
// the P256VERIFY precompile: Jacobian coordinates with MULMOD/ADDMOD, Shamir's simultaneous
// double-and-add of u1*G + u2*Q, and inverses by Fermat's little theorem in a loop (no MODEXP
// precompile: evmone-bench's host does not provide it). Formulas: doubling for a = -3
// (Bernstein-Lange dbl-2001-b), addition add-1998-cmo-2.
pragma solidity ^0.8.24;

library P256 {
    uint256 internal constant P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff;
    uint256 internal constant B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b;
    uint256 internal constant GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296;
    uint256 internal constant GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5;
    uint256 internal constant N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551;

    /// A point in Jacobian coordinates (x / z^2, y / z^3); z == 0 is the point at infinity.
    struct Point {
        uint256 x;
        uint256 y;
        uint256 z;
    }

    /// Whether (r, s) signs `digest` under the public key (qx, qy).
    function verify(bytes32 digest, uint256 r, uint256 s, uint256 qx, uint256 qy) internal pure returns (bool) {
        if (r == 0 || r >= N || s == 0 || s >= N || !onCurve(qx, qy)) return false;
        uint256 w = modPow(s, N - 2, N);
        uint256 u1 = mulmod(uint256(digest), w, N);
        uint256 u2 = mulmod(r, w, N);
        Point memory g = Point(GX, GY, 1);
        Point memory q = Point(qx, qy, 1);
        Point memory gq = Point(GX, GY, 1);
        add(gq, q);
        Point memory sum = Point(0, 0, 0);
        for (uint256 bit = 256; bit > 0; ) {
            unchecked {
                --bit;
            }
            double(sum);
            uint256 which = ((u1 >> bit) & 1) | (((u2 >> bit) & 1) << 1);
            if (which == 1) add(sum, g);
            else if (which == 2) add(sum, q);
            else if (which == 3) add(sum, gq);
        }
        if (sum.z == 0) return false;
        uint256 zInverse = modPow(sum.z, P - 2, P);
        uint256 x = mulmod(sum.x, mulmod(zInverse, zInverse, P), P);
        return x % N == r;
    }

    /// y^2 == x^3 - 3x + b (mod p), with both coordinates reduced.
    function onCurve(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P) return false;
        uint256 right = addmod(mulmod(mulmod(x, x, P), x, P), addmod(P - mulmod(3, x, P), B, P), P);
        return mulmod(y, y, P) == right;
    }

    function modPow(uint256 base, uint256 exponent, uint256 modulus) internal pure returns (uint256 result) {
        result = 1;
        for (uint256 bit = 256; bit > 0; ) {
            unchecked {
                --bit;
            }
            result = mulmod(result, result, modulus);
            if ((exponent >> bit) & 1 != 0) result = mulmod(result, base, modulus);
        }
    }

    /// p = 2p, in place.
    function double(Point memory p) internal pure {
        if (p.z == 0) return;
        uint256 delta = mulmod(p.z, p.z, P);
        uint256 gamma = mulmod(p.y, p.y, P);
        uint256 beta = mulmod(p.x, gamma, P);
        uint256 alpha = mulmod(3, mulmod(addmod(p.x, P - delta, P), addmod(p.x, delta, P), P), P);
        uint256 x3 = addmod(mulmod(alpha, alpha, P), P - mulmod(8, beta, P), P);
        uint256 yz = addmod(p.y, p.z, P);
        p.z = addmod(mulmod(yz, yz, P), P - addmod(gamma, delta, P), P);
        p.y = addmod(mulmod(alpha, addmod(mulmod(4, beta, P), P - x3, P), P), P - mulmod(8, mulmod(gamma, gamma, P), P), P);
        p.x = x3;
    }

    /// p = p + q, in place.
    function add(Point memory p, Point memory q) internal pure {
        if (q.z == 0) return;
        if (p.z == 0) {
            (p.x, p.y, p.z) = (q.x, q.y, q.z);
            return;
        }
        uint256 u1;
        uint256 s1;
        uint256 h;
        uint256 r;
        {
            uint256 z1z1 = mulmod(p.z, p.z, P);
            uint256 z2z2 = mulmod(q.z, q.z, P);
            u1 = mulmod(p.x, z2z2, P);
            s1 = mulmod(p.y, mulmod(q.z, z2z2, P), P);
            h = addmod(mulmod(q.x, z1z1, P), P - u1, P);
            r = addmod(mulmod(q.y, mulmod(p.z, z1z1, P), P), P - s1, P);
        }
        if (h == 0) {
            if (r == 0) double(p);
            else p.z = 0;
            return;
        }
        uint256 hh = mulmod(h, h, P);
        uint256 hhh = mulmod(h, hh, P);
        uint256 v = mulmod(u1, hh, P);
        uint256 x3 = addmod(addmod(mulmod(r, r, P), P - hhh, P), P - addmod(v, v, P), P);
        p.y = addmod(mulmod(r, addmod(v, P - x3, P), P), P - mulmod(s1, hhh, P), P);
        p.z = mulmod(mulmod(p.z, q.z, P), h, P);
        p.x = x3;
    }
}

contract P256Verifier {
    /// Verifies each (digest, r, s) under the key (qx, qy) and counts the valid ones.
    function verifyMany(bytes32[] calldata digests, uint256[] calldata rs, uint256[] calldata ss, uint256 qx, uint256 qy)
        external
        pure
        returns (uint256 valid)
    {
        for (uint256 i = 0; i < digests.length; ++i)
            if (P256.verify(digests[i], rs[i], ss[i], qx, qy)) ++valid;
    }
}
