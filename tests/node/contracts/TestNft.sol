// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

// An OpenZeppelin ERC-721 that anyone may mint, enough for mint/transfer/ownerOf.
contract TestNft is ERC721 {
    constructor() ERC721("Test Nft", "TNFT") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}
