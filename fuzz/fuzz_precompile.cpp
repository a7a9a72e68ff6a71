// The precompiled contracts (run_precompile): never a crash on any input, gas and revision, and
// the contract of precompiles.hpp holds: a failure returns no output and no gas, a success never
// returns more gas than it was given, the price depends on the input alone (one gas less runs out
// of gas), two runs agree, and each precompile's output has its documented shape.
//
// Input: [address index] [revision index] [gas, 2 bytes] [precompile input...]
//   address index: into the precompiles of the newest revision, in address order (today
//     0x01..0x11 then 0x100: index 0 is ecrecover, 17 is P256VERIFY), modulo their number;
//   revision index: into the revisions where that precompile exists, oldest first, modulo;
//   gas: mantissa (low 11 bits) << exponent (high 5 bits, modulo 20), so exact small amounts and
//     up to ~2^30 (Osaka's largest modexp, long BLS MSMs and pairings) are both reachable.
#include "fuzz_target.hpp"
#include "precompiles/precompiles.hpp"

#include <algorithm>
#include <vector>

using namespace polyvm;

namespace {

unsigned number_of(const Address& a) { return (unsigned{a[18]} << 8) | a[19]; }

Address address_of(unsigned number) {
    Address a;
    a[18] = static_cast<uint8_t>(number >> 8);
    a[19] = static_cast<uint8_t>(number);
    return a;
}

struct Known {
    Address address;
    Revision first;  // the oldest revision where it exists
};

/// The precompiles as is_precompile() says, not a copy of its table: every 2-byte address
/// active in the newest revision, with the revision it first appears in.
const std::vector<Known>& precompiles() {
    static const std::vector<Known> all = [] {
        std::vector<Known> v;
        for (unsigned n = 1; n <= 0xffff; ++n) {
            const Address a = address_of(n);
            if (!is_precompile(a, kLatestRevision)) continue;
            int first = 0;
            while (!is_precompile(a, static_cast<Revision>(first))) ++first;
            v.push_back({a, static_cast<Revision>(first)});
        }
        return v;
    }();
    return all;
}

bool all_zero(bytes_view b) { return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; }); }

/// The 32-byte word 0 or 1 (the pairing checks' answer).
bool is_bool_word(bytes_view out) { return out.size() == 32 && all_zero(out.first(31)) && out[31] <= 1; }

/// EIP-2537 points are 64-byte field elements whose top 16 bytes are zero.
bool is_bls_encoding(bytes_view out, size_t size) {
    if (out.size() != size) return false;
    for (size_t i = 0; i < size; i += 64)
        if (!all_zero(out.subspan(i, 16))) return false;
    return true;
}

/// Input bytes [offset, offset + len), zeros past the end (the precompiles' convention).
bytes padded(bytes_view in, uint64_t offset, uint64_t len) {
    bytes r(static_cast<size_t>(len), 0);
    if (offset < in.size()) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(len, in.size() - offset));
        std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(offset), n, r.begin());
    }
    return r;
}

uint64_t word64_at(bytes_view in, size_t offset) {
    const bytes w = padded(in, offset, 32);
    FUZZ_CHECK(all_zero(bytes_view(w).first(24)), "a successful modexp's lengths fit 64 bits");
    uint64_t v = 0;
    for (size_t i = 24; i < 32; ++i) v = (v << 8) | w[i];
    return v;
}

/// EIP-198: the result has the modulus' length and is below it (all zeros for a zero modulus).
void check_modexp(bytes_view in, const bytes& out) {
    // An empty modulus makes any lengths cheap (2^255-byte exponents included): nothing to read.
    if (all_zero(padded(in, 64, 32))) {
        FUZZ_CHECK(out.empty(), "modexp with an empty modulus returns nothing");
        return;
    }
    // With a modulus, a length past 64 bits is unaffordable, so a success has none.
    const uint64_t base_len = word64_at(in, 0), exp_len = word64_at(in, 32), mod_len = word64_at(in, 64);
    FUZZ_CHECK(out.size() == mod_len, "modexp's output has the modulus' length");
    const bytes modulus = padded(in, 96 + base_len + exp_len, mod_len);
    if (all_zero(modulus))
        FUZZ_CHECK(all_zero(out), "anything modulo zero is zero");
    else
        FUZZ_CHECK(std::lexicographical_compare(out.begin(), out.end(), modulus.begin(), modulus.end()),
                   "modexp's result is below the modulus");
}

/// The output's shape on success, per precompile (sizes from the EIPs).
void check_output(unsigned number, bytes_view in, const bytes& out) {
    switch (number) {
    case 0x01:  // an address as a word, or nothing for a bad signature
        FUZZ_CHECK(out.empty() || (out.size() == 32 && all_zero(bytes_view(out).first(12))), "ecrecover's output");
        break;
    case 0x02:
        FUZZ_CHECK(out.size() == 32, "sha256's output is 32 bytes");
        break;
    case 0x03:
        FUZZ_CHECK(out.size() == 32 && all_zero(bytes_view(out).first(12)), "ripemd160's output is a padded 20-byte digest");
        break;
    case 0x04:
        FUZZ_CHECK(same_bytes(out, in), "identity returns its input");
        break;
    case 0x05:
        check_modexp(in, out);
        break;
    case 0x06:
    case 0x07:
        FUZZ_CHECK(out.size() == 64, "alt_bn128 add and mul return a 64-byte point");
        break;
    case 0x08:
        FUZZ_CHECK(is_bool_word(out), "alt_bn128 pairing returns the word 0 or 1");
        break;
    case 0x09:
        FUZZ_CHECK(out.size() == 64, "blake2f returns the 64-byte state");
        break;
    case 0x0a:
        FUZZ_CHECK(out.size() == 64, "point evaluation returns two 32-byte words");
        break;
    case 0x0b:
    case 0x0c:
    case 0x10:
        FUZZ_CHECK(is_bls_encoding(out, 128), "BLS12-381 G1 results are encoded 128-byte points");
        break;
    case 0x0d:
    case 0x0e:
    case 0x11:
        FUZZ_CHECK(is_bls_encoding(out, 256), "BLS12-381 G2 results are encoded 256-byte points");
        break;
    case 0x0f:
        FUZZ_CHECK(is_bool_word(out), "BLS12-381 pairing returns the word 0 or 1");
        break;
    case 0x100:
        FUZZ_CHECK(out.empty() || (out.size() == 32 && all_zero(bytes_view(out).first(31)) && out[31] == 1),
                   "P256VERIFY returns nothing or the word 1");
        break;
    default:
        break;  // a precompile this target does not know yet: the general invariants only
    }
}

bool same_result(const PrecompileResult& a, const PrecompileResult& b) {
    return a.status == b.status && a.gas_left == b.gas_left && a.output == b.output;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    const auto& all = precompiles();
    FUZZ_CHECK(!all.empty(), "the newest revision has precompiles");
    const Known& pc = all[data[0] % all.size()];
    const unsigned number = number_of(pc.address);
    const int revisions = static_cast<int>(kLatestRevision) - static_cast<int>(pc.first) + 1;
    const auto rev = static_cast<Revision>(static_cast<int>(pc.first) + data[1] % revisions);
    const unsigned g = (unsigned{data[2]} << 8) | data[3];
    int64_t gas = static_cast<int64_t>(g & 0x7ff) << ((g >> 11) % 20);
    // blake2f charges 1 gas per round, ~10^3 times cheaper per gas than the others: capped so
    // that one input runs in milliseconds (2^20 rounds) instead of minutes.
    if (number == 0x09) gas = std::min<int64_t>(gas, int64_t{1} << 20);
    const bytes_view input(data + 4, size - 4);

    FUZZ_CHECK(is_precompile(pc.address, rev), "a precompile stays in every later revision");
    if (pc.first > Revision::Frontier) {
        const Revision before = static_cast<Revision>(static_cast<int>(pc.first) - 1);
        const PrecompileResult none = run_precompile(pc.address, input, gas, before);
        FUZZ_CHECK(none.status == Status::Failure && none.gas_left == 0 && none.output.empty(),
                   "an address that is not yet a precompile fails with nothing");
    }

    const PrecompileResult r = run_precompile(pc.address, input, gas, rev);
    if (r.status == Status::Success) {
        FUZZ_CHECK(r.gas_left >= 0 && r.gas_left <= gas, "a success leaves between 0 and the gas given");
        check_output(number, input, r.output);
    } else {
        // precompiles.hpp: out of gas and a failure the spec names; Failure only for modexp's
        // resource limit. Each consumes all gas and returns nothing.
        FUZZ_CHECK(r.status == Status::OutOfGas || r.status == Status::PrecompileFailure ||
                       (r.status == Status::Failure && number == 0x05),
                   "a precompile fails only out of gas, by its spec, or modexp by its resource limit");
        FUZZ_CHECK(r.gas_left == 0 && r.output.empty(), "a failure consumes all gas and returns nothing");
    }

    FUZZ_CHECK(same_result(r, run_precompile(pc.address, input, gas, rev)), "the same call gives the same result");

    // The price depends on the input only: with one gas less than a success used, it runs out.
    if (r.status == Status::Success && r.gas_left < gas) {
        const PrecompileResult short_of_gas = run_precompile(pc.address, input, gas - r.gas_left - 1, rev);
        FUZZ_CHECK(short_of_gas.status == Status::OutOfGas, "one gas less than the price runs out of gas");
    }
    return 0;
}
