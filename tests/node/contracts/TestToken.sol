// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

// An OpenZeppelin ERC-20 with EIP-2612 permit; the deployer holds the whole supply.
contract TestToken is ERC20, ERC20Permit {
    constructor(uint256 supply) ERC20("Test Token", "TST") ERC20Permit("Test Token") {
        _mint(msg.sender, supply);
    }

    // A require-string revert (Error(string)), next to OZ's custom errors.
    function failWithReason() external pure {
        require(false, "TestToken: always fails");
    }
}
