// SPDX-License-Identifier: MIT
// The token workload of the real-contract benchmarks: OpenZeppelin's ERC-20, driven from inside
// one call. evmone-bench executes a benchmark's code over an empty state with no other
// contracts, so each function makes the state it works on (mints) and then does the work through
// the tokens' own internal paths (the ones their public functions take after dispatch).
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract BenchToken is ERC20 {
    constructor() ERC20("Bench Token", "BENCH") {}

    function holder(uint256 i) private pure returns (address) {
        return address(uint160(0x1000 + i));
    }

    /// Mints to 16 holders, then `count` transfers between them (each a debit and a credit of
    /// existing balances, and an event).
    function transfers(uint256 count) external returns (uint256) {
        for (uint256 i = 0; i < 16; ++i) _mint(holder(i), 1e24);
        for (uint256 i = 0; i < count; ++i) _transfer(holder(i % 16), holder((i * 7 + 3) % 16), 1e18 + i);
        return balanceOf(holder(3));
    }

    /// `count` rounds of approve and pull: an owner approves a spender, which spends half the
    /// allowance by moving the owner's tokens to a third account.
    function approvePull(uint256 count) external returns (uint256) {
        for (uint256 i = 0; i < 8; ++i) _mint(holder(i), 1e24);
        for (uint256 i = 0; i < count; ++i) {
            address owner = holder(i % 8);
            address spender = holder(100 + (i % 5));
            _approve(owner, spender, 2e18);
            _spendAllowance(owner, spender, 1e18);
            _transfer(owner, holder(200 + (i % 13)), 1e18);
        }
        return allowance(holder(0), holder(100));
    }
}
