// SPDX-License-Identifier: MIT
// Uniswap V2's constant-product pools, inside one contract: the pair's swap (0.3% fee, the k
// invariant on fee-adjusted balances, reserves packed in 112 bits with the block timestamp, the
// UQ112x112 price accumulators of its _update) and the router's getAmountsOut along a path of
// pools. evmone-bench executes a benchmark over an empty state with no other contracts, so the
// pools live in this contract's storage and each function creates them before it swaps.
pragma solidity ^0.8.24;

contract AmmPools {
    struct Pool {
        uint112 reserve0;
        uint112 reserve1;
        uint32 blockTimestampLast;
        uint256 price0CumulativeLast;
        uint256 price1CumulativeLast;
    }

    mapping(uint256 => Pool) private pools;
    mapping(uint256 => mapping(address => uint256)) private balances;  // per token

    event Swap(uint256 indexed pool, uint256 amountIn, uint256 amountOut, address indexed to);

    function createPools(uint256 count) private {
        for (uint256 i = 0; i < count; ++i) {
            Pool storage p = pools[i];
            p.reserve0 = uint112(1e24 + i * 1e21);
            p.reserve1 = uint112(1e24 + (i + 1) * 1e21);
            unchecked { p.blockTimestampLast = uint32(block.timestamp) - 12; }  // evmone-bench's block starts at 0
        }
        balances[0][msg.sender] = 1e24;
    }

    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        require(amountIn > 0, "INSUFFICIENT_INPUT_AMOUNT");
        require(reserveIn > 0 && reserveOut > 0, "INSUFFICIENT_LIQUIDITY");
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }

    /// Pool `index` trades token `index` for token `index + 1`.
    function swapIn(uint256 index, uint256 amountIn, address to) private returns (uint256 amountOut) {
        Pool storage p = pools[index];
        (uint112 reserve0, uint112 reserve1) = (p.reserve0, p.reserve1);
        amountOut = getAmountOut(amountIn, reserve0, reserve1);
        require(amountOut < reserve1, "INSUFFICIENT_LIQUIDITY");
        uint256 balance0 = uint256(reserve0) + amountIn;
        uint256 balance1 = uint256(reserve1) - amountOut;
        // The pair's check: k does not decrease once the 0.3% fee is taken from what came in.
        uint256 balance0Adjusted = balance0 * 1000 - amountIn * 3;
        uint256 balance1Adjusted = balance1 * 1000;
        require(balance0Adjusted * balance1Adjusted >= uint256(reserve0) * reserve1 * 1000 ** 2, "K");
        update(p, balance0, balance1, reserve0, reserve1);
        balances[index + 1][to] += amountOut;
        emit Swap(index, amountIn, amountOut, to);
    }

    function update(Pool storage p, uint256 balance0, uint256 balance1, uint112 reserve0, uint112 reserve1) private {
        require(balance0 <= type(uint112).max && balance1 <= type(uint112).max, "OVERFLOW");
        uint32 blockTimestamp = uint32(block.timestamp % 2 ** 32);
        unchecked {
            uint32 timeElapsed = blockTimestamp - p.blockTimestampLast;
            if (timeElapsed > 0 && reserve0 != 0 && reserve1 != 0) {
                p.price0CumulativeLast += ((uint256(reserve1) << 112) / reserve0) * timeElapsed;
                p.price1CumulativeLast += ((uint256(reserve0) << 112) / reserve1) * timeElapsed;
            }
        }
        p.reserve0 = uint112(balance0);
        p.reserve1 = uint112(balance1);
        p.blockTimestampLast = blockTimestamp;
    }

    /// The router's quote along `hops` pools, then the swaps through them, `count` times.
    function swapRoutes(uint256 count, uint256 hops) external returns (uint256 out) {
        createPools(hops);
        for (uint256 i = 0; i < count; ++i) {
            uint256[] memory amounts = new uint256[](hops + 1);
            amounts[0] = 1e18 + i * 1e15;
            for (uint256 h = 0; h < hops; ++h) amounts[h + 1] = getAmountOut(amounts[h], pools[h].reserve0, pools[h].reserve1);
            balances[0][msg.sender] -= amounts[0];
            uint256 amount = amounts[0];
            for (uint256 h = 0; h < hops; ++h) amount = swapIn(h, amount, h + 1 == hops ? msg.sender : address(this));
            require(amount == amounts[hops], "quote");
            out += amount;
        }
    }
}
