// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IBalanceOf {
    function balanceOf(address who) external view returns (uint256);
    function totalSupply() external view returns (uint256);
}

// Makes nested calls in a transaction, so that callTracer has a call tree to show.
contract Prober {
    uint256 public lastSum;
    event Probed(address indexed token, uint256 sum);

    function probe(address token, address who) external returns (uint256 sum) {
        sum = IBalanceOf(token).balanceOf(who) + IBalanceOf(token).totalSupply();
        lastSum = sum;
        emit Probed(token, sum);
    }
}
