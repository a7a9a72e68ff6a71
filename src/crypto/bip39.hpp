// BIP-39 mnemonic to seed (the dev node derives its default accounts from a mnemonic).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace polyvm {

using Seed512 = std::array<uint8_t, 64>;

/// BIP-39 seed: PBKDF2-HMAC-SHA512, 2048 iterations, password = the mnemonic, salt = "mnemonic" +
/// passphrase. Runs of whitespace in the mnemonic collapse to one space and ends are trimmed.
/// Limits, on purpose:
/// - NFKD normalisation (BIP-39) is not applied: ASCII words (the English list) are unchanged by
///   it, but non-ASCII mnemonics or passphrases give a different seed than other wallets.
/// - No wordlist is shipped, so neither the words nor the checksum are validated: any phrase gives
///   a seed (Anvil/Hardhat reject a bad checksum).
/// Throws std::invalid_argument for a mnemonic with no words.
Seed512 mnemonic_to_seed(std::string_view mnemonic, std::string_view passphrase = "");

}  // namespace polyvm
