// SPDX-License-Identifier: MIT
// Computational workloads of the real-contract benchmarks, through the OpenZeppelin libraries that
// applications use where there is one: Merkle trees and proofs, fixed-point and modular math;
// sorting (a plain quicksort: OpenZeppelin's Arrays.sort needs
// Cancun's MCOPY, and evmone-bench runs pre-Shanghai code) and ABI encoding of structs.
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

contract Workloads {
    struct Order {
        address maker;
        uint256 amount;
        uint64 expiry;
        bytes32[] path;
        string note;
    }

    /// Sorts `count` pseudo-random numbers drawn from `seed` (quicksort, Hoare's partition).
    function sortNumbers(uint256 count, uint256 seed) external pure returns (uint256 first, uint256 last) {
        uint256[] memory values = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            values[i] = seed;
        }
        quicksort(values, 0, int256(count) - 1);
        for (uint256 i = 1; i < count; ++i) require(values[i - 1] <= values[i], "not sorted");
        return (values[0], values[count - 1]);
    }

    function quicksort(uint256[] memory values, int256 low, int256 high) private pure {
        if (low >= high) return;
        uint256 pivot = values[uint256(low + (high - low) / 2)];
        int256 i = low;
        int256 j = high;
        while (i <= j) {
            while (values[uint256(i)] < pivot) ++i;
            while (pivot < values[uint256(j)]) --j;
            if (i <= j) {
                (values[uint256(i)], values[uint256(j)]) = (values[uint256(j)], values[uint256(i)]);
                ++i;
                --j;
            }
        }
        if (low < j) quicksort(values, low, j);
        if (i < high) quicksort(values, i, high);
    }

    /// The Merkle root of `count` leaves (a power of two), then a proof of every leaf checked.
    function merkleTree(uint256 count) external pure returns (bytes32 root) {
        bytes32[] memory level = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) level[i] = keccak256(abi.encode(i));
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) leaves[i] = level[i];
        uint256 depth = Math.log2(count);
        bytes32[][] memory levels = new bytes32[][](depth + 1);
        levels[0] = leaves;
        for (uint256 d = 0; d < depth; ++d) {
            bytes32[] memory next = new bytes32[](level.length / 2);
            for (uint256 i = 0; i < next.length; ++i)
                next[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
            levels[d + 1] = next;
            level = next;
        }
        root = level[0];
        bytes32[] memory proof = new bytes32[](depth);
        for (uint256 i = 0; i < count; ++i) {
            uint256 index = i;
            for (uint256 d = 0; d < depth; ++d) {
                proof[d] = levels[d][index ^ 1];
                index >>= 1;
            }
            require(MerkleProof.verify(proof, root, leaves[i]), "bad proof");
        }
    }

    /// Checks one proof given in calldata (the common on-chain use: airdrops, allowlists).
    function verifyProof(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// Modular inverses of `count` values modulo the secp256k1 group order (extended Euclid).
    function modularInverses(uint256 count, uint256 seed) external pure returns (uint256 acc) {
        uint256 n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
        for (uint256 i = 0; i < count; ++i) {
            seed = uint256(keccak256(abi.encode(seed))) % n;
            acc ^= Math.invMod(seed, n);
        }
    }

    /// Fixed-point arithmetic as DeFi does it: full-precision mulDiv, square roots, logarithms.
    function fixedPoint(uint256 count, uint256 seed) external pure returns (uint256 acc) {
        for (uint256 i = 0; i < count; ++i) {
            seed = uint256(keccak256(abi.encode(seed)));
            uint256 x = seed >> 128;
            uint256 y = seed & type(uint128).max;
            acc += Math.mulDiv(x, y, (y >> 64) + 1);
            acc += Math.sqrt(seed);
            acc += Math.log2(x + 1) + Math.log10(y + 1);
        }
    }

    /// ABI-encodes `count` orders (nested dynamic arrays and strings), decodes them back and
    /// hashes the result.
    function abiRoundTrip(uint256 count) external pure returns (bytes32) {
        Order[] memory orders = new Order[](count);
        for (uint256 i = 0; i < count; ++i) {
            bytes32[] memory path = new bytes32[](i % 4 + 1);
            for (uint256 j = 0; j < path.length; ++j) path[j] = keccak256(abi.encode(i, j));
            orders[i] = Order(address(uint160(i + 1)), i * 1e18, uint64(1_700_000_000 + i), path, "order note");
        }
        bytes memory encoded = abi.encode(orders);
        Order[] memory decoded = abi.decode(encoded, (Order[]));
        return keccak256(abi.encode(decoded));
    }

    /// Decodes orders given in calldata and re-encodes them packed (a relayer's job).
    function decodeOrders(bytes calldata data) external pure returns (bytes32 digest) {
        Order[] memory orders = abi.decode(data, (Order[]));
        for (uint256 i = 0; i < orders.length; ++i)
            digest = keccak256(abi.encodePacked(digest, orders[i].maker, orders[i].amount, orders[i].path, orders[i].note));
    }
}
