// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// Code an EOA delegates to (EIP-7702): runs with the EOA as address(this) and its storage.
contract Delegate {
    event Pinged(address self, address sender, uint256 value);

    uint256 public counter;

    function ping(uint256 value) external {
        counter += value;
        emit Pinged(address(this), msg.sender, value);
    }
}
