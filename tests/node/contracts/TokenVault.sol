// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// Holds deposits of any ERC-20 token: the end-to-end tests use it with the WebAssembly ERC-20
/// (contracts/wasm/src/erc20.c) to show Solidity calling a WebAssembly contract, reverts included.
contract TokenVault {
    IERC20 public immutable token;
    mapping(address => uint256) public deposited;

    event Deposited(address indexed owner, uint256 amount, uint256 vaultBalance);

    constructor(IERC20 token_) {
        token = token_;
    }

    /// Pulls `amount` from the caller (who approved the vault) and reports the vault's balance.
    function deposit(uint256 amount) external returns (uint256 vaultBalance) {
        require(token.transferFrom(msg.sender, address(this), amount), "transferFrom returned false");
        deposited[msg.sender] += amount;
        vaultBalance = token.balanceOf(address(this));
        emit Deposited(msg.sender, amount, vaultBalance);
    }

    /// Moves tokens in the WebAssembly contract, then reverts: both changes must be undone.
    function depositAndRevert(uint256 amount) external {
        require(token.transferFrom(msg.sender, address(this), amount), "transferFrom returned false");
        revert("undone");
    }

    /// Sends `amount` back; a withdrawal above the deposit reverts here, one above the vault's
    /// tokens reverts in the token (its custom error bubbles up unchanged).
    function withdraw(uint256 amount, bool checkDeposit) external {
        if (checkDeposit) require(deposited[msg.sender] >= amount, "more than deposited");
        deposited[msg.sender] -= amount < deposited[msg.sender] ? amount : deposited[msg.sender];
        bool ok = token.transfer(msg.sender, amount);
        require(ok, "transfer returned false");
    }
}
