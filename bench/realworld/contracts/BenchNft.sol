// SPDX-License-Identifier: MIT
// The non-fungible token workload of the real-contract benchmarks: an ERC-721 (EIP-721's rules:
// owners, balances, single-token approvals, operators, Transfer/Approval/ApprovalForAll events,
// the receiver check of safe transfers) written here, since OpenZeppelin 5's ERC721 needs
// Cancun's MCOPY and evmone-bench runs pre-Shanghai code. As BenchToken does, each function makes
// the state it works on (mints) and then does the work through the token's own paths.
pragma solidity ^0.8.24;

interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data) external returns (bytes4);
}

contract BenchNft {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    error NonexistentToken(uint256 tokenId);
    error InvalidReceiver(address receiver);
    error NotAuthorized(address spender, uint256 tokenId);
    error WrongOwner(address claimed, address owner);

    string public name = "Bench NFT";
    string public symbol = "BNFT";
    mapping(uint256 => address) private owners;
    mapping(address => uint256) private balances;
    mapping(uint256 => address) private tokenApprovals;
    mapping(address => mapping(address => bool)) private operatorApprovals;

    function ownerOf(uint256 tokenId) public view returns (address owner) {
        owner = owners[tokenId];
        if (owner == address(0)) revert NonexistentToken(tokenId);
    }

    function balanceOf(address owner) public view returns (uint256) {
        return balances[owner];
    }

    function getApproved(uint256 tokenId) public view returns (address) {
        ownerOf(tokenId);
        return tokenApprovals[tokenId];
    }

    function isApprovedForAll(address owner, address operator) public view returns (bool) {
        return operatorApprovals[owner][operator];
    }

    function approve(address to, uint256 tokenId) public {
        address owner = ownerOf(tokenId);
        if (msg.sender != owner && !isApprovedForAll(owner, msg.sender)) revert NotAuthorized(msg.sender, tokenId);
        approveFor(owner, to, tokenId);
    }

    function setApprovalForAll(address operator, bool approved) public {
        setOperator(msg.sender, operator, approved);
    }

    function transferFrom(address from, address to, uint256 tokenId) public {
        transferBy(msg.sender, from, to, tokenId);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        transferBy(msg.sender, from, to, tokenId);
        checkReceiver(msg.sender, from, to, tokenId, data);
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x80ac58cd || interfaceId == 0x5b5e139f || interfaceId == 0x01ffc9a7;
    }

    // The internal paths the public functions take after dispatch and the sender check.

    function approveFor(address owner, address to, uint256 tokenId) private {
        tokenApprovals[tokenId] = to;
        emit Approval(owner, to, tokenId);
    }

    function setOperator(address owner, address operator, bool approved) private {
        if (operator == address(0)) revert InvalidReceiver(operator);
        operatorApprovals[owner][operator] = approved;
        emit ApprovalForAll(owner, operator, approved);
    }

    function mint(address to, uint256 tokenId) private {
        if (to == address(0)) revert InvalidReceiver(to);
        if (owners[tokenId] != address(0)) revert WrongOwner(address(0), owners[tokenId]);
        unchecked {
            balances[to] += 1;
        }
        owners[tokenId] = to;
        emit Transfer(address(0), to, tokenId);
    }

    function burn(uint256 tokenId) private {
        address owner = ownerOf(tokenId);
        delete tokenApprovals[tokenId];
        unchecked {
            balances[owner] -= 1;
        }
        delete owners[tokenId];
        emit Transfer(owner, address(0), tokenId);
    }

    function transferBy(address spender, address from, address to, uint256 tokenId) private {
        if (to == address(0)) revert InvalidReceiver(to);
        address owner = ownerOf(tokenId);
        if (owner != from) revert WrongOwner(from, owner);
        if (spender != owner && tokenApprovals[tokenId] != spender && !operatorApprovals[owner][spender])
            revert NotAuthorized(spender, tokenId);
        delete tokenApprovals[tokenId];
        unchecked {
            balances[from] -= 1;
            balances[to] += 1;
        }
        owners[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }

    function checkReceiver(address operator, address from, address to, uint256 tokenId, bytes memory data) private {
        if (to.code.length == 0) return;
        try IERC721Receiver(to).onERC721Received(operator, from, tokenId, data) returns (bytes4 selector) {
            if (selector != IERC721Receiver.onERC721Received.selector) revert InvalidReceiver(to);
        } catch {
            revert InvalidReceiver(to);
        }
    }

    function holder(uint256 i) private pure returns (address) {
        return address(uint160(0x1000 + i));
    }

    /// Mints `count` tokens to 8 holders, moves each once (half by an approved spender, half by an
    /// operator, each a safe transfer to an account without code), then burns them all, which
    /// leaves the balances and owners as they were: evmone-bench runs a case again and again on
    /// the same storage, and a second mint of a token would revert.
    function mintTradeBurn(uint256 count) external returns (uint256 traded) {
        for (uint256 i = 0; i < count; ++i) mint(holder(i % 8), i + 1);
        for (uint256 i = 0; i < 8; ++i) setOperator(holder(i), holder(100), true);
        for (uint256 i = 0; i < count; ++i) {
            uint256 tokenId = i + 1;
            address owner = ownerOf(tokenId);
            address to = holder(200 + (i % 13));
            if (i % 2 == 0) {
                approveFor(owner, holder(50), tokenId);
                transferBy(holder(50), owner, to, tokenId);
            } else {
                transferBy(holder(100), owner, to, tokenId);
            }
            checkReceiver(msg.sender, owner, to, tokenId, "");
        }
        traded = balanceOf(holder(200)) + balanceOf(holder(0));
        for (uint256 i = 0; i < count; ++i) burn(i + 1);
    }
}
