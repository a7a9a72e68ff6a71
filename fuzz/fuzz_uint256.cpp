// uint256, differentially: every operation the interpreter runs on EVM words (instructions.hpp
// calls these same functions), and the conversions, against GMP's arbitrary-precision integers
// reduced modulo 2^256 (two's complement for the signed ones) with the EVM's rules written out
// from the Yellow Paper and the EIPs (division by zero gives 0, shifts past 255 give 0 or -1...).
//
// Input: [operation] [a: 32 bytes] [b: 32 bytes] [c: 32 bytes], big-endian; missing bytes are
// zero. Operands are in the interpreter's order: a is the top of the stack (SUB is a - b, SHL
// shifts b by a, ADDMOD is (a + b) mod c). The parsing operations read the bytes after the
// operation byte as a string instead.
#include "common/uint256.hpp"
#include "fuzz_target.hpp"

#include <gmp.h>

#include <cstring>
#include <string>

using namespace polyvm;

namespace {

/// An mpz_t that frees itself.
struct Z {
    mpz_t v;
    Z() { mpz_init(v); }
    Z(const Z&) = delete;
    Z& operator=(const Z&) = delete;
    ~Z() { mpz_clear(v); }
    // Lets a Z go where GMP takes an mpz_t (not into its macros, mpz_sgn and mpz_cmp_ui: use .v).
    operator mpz_ptr() { return v; }           // NOLINT
    operator mpz_srcptr() const { return v; }  // NOLINT
};

/// The reference's view of a word: from its limbs, not through polyvm's byte conversions.
void set_word(mpz_ptr z, const uint256& x) { mpz_import(z, 4, -1, sizeof(uint64_t), 0, 0, x.w); }

/// Big-endian bytes, read by GMP alone (the reference for load_be and from_be).
void set_bytes(mpz_ptr z, const uint8_t* p, size_t n) {
    if (n == 0)
        mpz_set_ui(z, 0);
    else
        mpz_import(z, n, 1, 1, 1, 0, p);
}

/// z mod 2^256, in [0, 2^256).
void wrap(mpz_ptr z) { mpz_fdiv_r_2exp(z, z, 256); }

/// The two's-complement value of a word: subtract 2^256 when bit 255 is set.
void to_signed(mpz_ptr z) {
    if (mpz_tstbit(z, 255)) {
        Z two256;
        mpz_setbit(two256, 256);
        mpz_sub(z, z, two256);
    }
}

bool equals(const uint256& got, mpz_srcptr want) {
    Z g;
    set_word(g, got);
    return mpz_cmp(g, want) == 0;
}

/// "0x" + GMP's minimal lower-case hex ("0x0" for zero): what to_hex() documents.
std::string reference_hex(mpz_srcptr z) {
    std::string s(mpz_sizeinbase(z, 16) + 2, '\0');
    mpz_get_str(s.data(), 16, z);
    s.resize(std::strlen(s.c_str()));
    return "0x" + s;
}

std::string reference_decimal(mpz_srcptr z) {
    std::string s(mpz_sizeinbase(z, 10) + 2, '\0');
    mpz_get_str(s.data(), 10, z);
    s.resize(std::strlen(s.c_str()));
    return s;
}

/// What from_string() should accept: "0x"/"0X" then hex digits (none is zero), or one or more
/// decimal digits; the value below 2^256. GMP alone would also skip white space, so the
/// characters are checked here first.
bool reference_parse(const std::string& s, mpz_ptr out) {
    if (s.empty()) return false;
    const bool hex = s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const std::string digits = hex ? s.substr(2) : s;
    if (digits.empty()) {
        mpz_set_ui(out, 0);
        return hex;
    }
    for (const char c : digits) {
        const bool ok = hex ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                            : (c >= '0' && c <= '9');
        if (!ok) return false;
    }
    mpz_set_str(out, digits.c_str(), hex ? 16 : 10);
    return mpz_sizeinbase(out, 2) <= 256;
}

enum Op : uint8_t {
    ADD, SUB, MUL, DIV, MOD, SDIV, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND,
    LT, GT, SLT, SGT, EQ, ISZERO, AND, OR, XOR, NOT, BYTE, SHL, SHR, SAR, CLZ,
    NEGATE, DIVREM, BYTES, HEX, DECIMAL, PARSE,
    NUM_OPS
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const auto op = static_cast<Op>(data[0] % NUM_OPS);
    uint8_t buf[96] = {};
    std::memcpy(buf, data + 1, std::min<size_t>(size - 1, sizeof buf));
    const uint256 a = uint256::load_be(buf), b = uint256::load_be(buf + 32), c = uint256::load_be(buf + 64);
    Z za, zb, zc, want, t;
    set_word(za, a);
    set_word(zb, b);
    set_word(zc, c);

    switch (op) {
    case ADD:
        mpz_add(want, za, zb);
        wrap(want);
        FUZZ_CHECK(equals(a + b, want), "ADD");
        break;
    case SUB:
        mpz_sub(want, za, zb);
        wrap(want);
        FUZZ_CHECK(equals(a - b, want), "SUB");
        break;
    case MUL:
        mpz_mul(want, za, zb);
        wrap(want);
        FUZZ_CHECK(equals(a * b, want), "MUL");
        break;
    case DIV:
        if (mpz_sgn(zb.v)) mpz_fdiv_q(want, za, zb);  // x / 0 = 0
        FUZZ_CHECK(equals(a / b, want), "DIV");
        break;
    case MOD:
        if (mpz_sgn(zb.v)) mpz_fdiv_r(want, za, zb);  // x % 0 = 0
        FUZZ_CHECK(equals(a % b, want), "MOD");
        break;
    case SDIV:
        // Truncating division of the signed values; -2^255 / -1 = 2^255 wraps back to -2^255.
        to_signed(za);
        to_signed(zb);
        if (mpz_sgn(zb.v)) mpz_tdiv_q(want, za, zb);
        wrap(want);
        FUZZ_CHECK(equals(sdiv(a, b), want), "SDIV");
        break;
    case SMOD:
        // The remainder of truncating division takes the dividend's sign.
        to_signed(za);
        to_signed(zb);
        if (mpz_sgn(zb.v)) mpz_tdiv_r(want, za, zb);
        wrap(want);
        FUZZ_CHECK(equals(smod(a, b), want), "SMOD");
        break;
    case ADDMOD:
    case MULMOD:
        // Without wrapping the intermediate. MULMOD is run three times: mulmod() caches Barrett
        // constants per modulus (built on its second use in a row), so the cold, building and
        // cached paths all have to agree.
        if (mpz_sgn(zc.v)) {
            if (op == ADDMOD)
                mpz_add(t, za, zb);
            else
                mpz_mul(t, za, zb);
            mpz_fdiv_r(want, t, zc);
        }
        if (op == ADDMOD) {
            FUZZ_CHECK(equals(addmod(a, b, c), want), "ADDMOD");
        } else {
            for (int i = 0; i < 3; ++i) FUZZ_CHECK(equals(mulmod(a, b, c), want), "MULMOD");
            FUZZ_CHECK(equals(mulmod(b, a, c), want), "MULMOD commutes");
        }
        break;
    case EXP: {
        Z two256;
        mpz_setbit(two256, 256);
        mpz_powm(want, za, zb, two256);
        FUZZ_CHECK(equals(exp(a, b), want), "EXP");
        break;
    }
    case SIGNEXTEND:
        // a < 31: the low 8(a+1) bits of b as a signed number; otherwise b unchanged.
        if (mpz_cmp_ui(za.v, 31) < 0) {
            const auto bits = static_cast<mp_bitcnt_t>(8 * (mpz_get_ui(za) + 1));
            mpz_fdiv_r_2exp(want, zb, bits);
            if (mpz_tstbit(want, bits - 1)) {
                mpz_set_ui(t, 0);
                mpz_setbit(t, bits);
                mpz_sub(want, want, t);
            }
            wrap(want);
        } else {
            mpz_set(want, zb);
        }
        FUZZ_CHECK(equals(signextend(a, b), want), "SIGNEXTEND");
        break;
    case LT:
        FUZZ_CHECK((a < b) == (mpz_cmp(za, zb) < 0), "LT");
        FUZZ_CHECK((a <= b) == (mpz_cmp(za, zb) <= 0), "<=");
        break;
    case GT:
        FUZZ_CHECK((a > b) == (mpz_cmp(za, zb) > 0), "GT");
        FUZZ_CHECK((a >= b) == (mpz_cmp(za, zb) >= 0), ">=");
        break;
    case SLT:
    case SGT:
        to_signed(za);
        to_signed(zb);
        FUZZ_CHECK(slt(a, b) == (mpz_cmp(za, zb) < 0), "SLT");
        FUZZ_CHECK(slt(b, a) == (mpz_cmp(za, zb) > 0), "SGT");  // the interpreter's SGT is slt(b, a)
        break;
    case EQ:
        FUZZ_CHECK((a == b) == (mpz_cmp(za, zb) == 0), "EQ");
        FUZZ_CHECK(a == uint256::load_be(buf) && !(a == ~a), "EQ of equal and of different words");
        break;
    case ISZERO:
        FUZZ_CHECK(a.is_zero() == (mpz_sgn(za.v) == 0) && static_cast<bool>(a) == (mpz_sgn(za.v) != 0), "ISZERO");
        FUZZ_CHECK(a.fits_u64() == (mpz_fits_ulong_p(za) != 0) && a.low64() == (mpz_get_ui(za) & ~0UL), "fits_u64, low64");
        break;
    case AND:
        mpz_and(want, za, zb);
        FUZZ_CHECK(equals(a & b, want), "AND");
        break;
    case OR:
        mpz_ior(want, za, zb);
        FUZZ_CHECK(equals(a | b, want), "OR");
        break;
    case XOR:
        mpz_xor(want, za, zb);
        FUZZ_CHECK(equals(a ^ b, want), "XOR");
        break;
    case NOT:
        mpz_setbit(want, 256);
        mpz_sub_ui(want, want, 1);
        mpz_sub(want, want, za);  // 2^256 - 1 - a
        FUZZ_CHECK(equals(~a, want), "NOT");
        break;
    case BYTE:
        // Byte a of b, counted from the most significant; 0 past the 32nd.
        if (mpz_cmp_ui(za.v, 32) < 0) {
            mpz_fdiv_q_2exp(want, zb, 8 * (31 - mpz_get_ui(za)));
            mpz_fdiv_r_2exp(want, want, 8);
        }
        FUZZ_CHECK(equals(byte_at(a, b), want), "BYTE");
        break;
    case SHL:
        if (mpz_cmp_ui(za.v, 256) < 0) {
            mpz_mul_2exp(want, zb, mpz_get_ui(za));
            wrap(want);
        }
        FUZZ_CHECK(equals(shl(a, b), want), "SHL");
        if (a.fits_u64()) FUZZ_CHECK(equals(b << a.low64(), want), "operator<<");
        break;
    case SHR:
        if (mpz_cmp_ui(za.v, 256) < 0) mpz_fdiv_q_2exp(want, zb, mpz_get_ui(za));
        FUZZ_CHECK(equals(shr(a, b), want), "SHR");
        if (a.fits_u64()) FUZZ_CHECK(equals(b >> a.low64(), want), "operator>>");
        break;
    case SAR:
        // Floor division of the signed value by 2^a: shifting out everything leaves 0 or -1.
        to_signed(zb);
        if (mpz_cmp_ui(za.v, 256) < 0)
            mpz_fdiv_q_2exp(want, zb, mpz_get_ui(za));
        else
            mpz_set_si(want, mpz_sgn(zb.v) < 0 ? -1 : 0);
        wrap(want);
        FUZZ_CHECK(equals(sar(a, b), want), "SAR");
        break;
    case CLZ: {
        // EIP-7939: the interpreter computes 256 - bit_length().
        const unsigned bits = mpz_sgn(za.v) ? static_cast<unsigned>(mpz_sizeinbase(za, 2)) : 0;
        FUZZ_CHECK(a.bit_length() == bits, "bit_length (CLZ)");
        FUZZ_CHECK(a.byte_length() == (bits + 7) / 8, "byte_length");
        break;
    }
    case NEGATE:
        mpz_neg(want, za);
        wrap(want);
        FUZZ_CHECK(equals(-a, want), "unary minus");
        break;
    case DIVREM: {
        const DivResult qr = udivrem(a, b);
        Z r;
        if (mpz_sgn(zb.v)) mpz_fdiv_qr(want, r, za, zb);
        FUZZ_CHECK(equals(qr.quotient, want) && equals(qr.remainder, r), "udivrem");
        break;
    }
    case BYTES: {
        // load_be against GMP reading the same bytes; store_be writes them back; from_be of the
        // first n bytes (n from c's low byte, up to 40: longer keeps the last 32) is their value.
        Z from_input;
        set_bytes(from_input, buf, 32);
        FUZZ_CHECK(equals(a, from_input), "load_be");
        uint8_t out[32];
        b.store_be(out);
        FUZZ_CHECK(std::memcmp(out, buf + 32, 32) == 0, "store_be(load_be(x)) == x");
        const size_t n = (buf[95] % 41);
        mpz_set_ui(want, 0);
        set_bytes(want, buf, n);
        wrap(want);
        FUZZ_CHECK(equals(uint256::from_be(bytes_view(buf, n)), want), "from_be");
        const Hash32 h = a.to_hash();
        FUZZ_CHECK(uint256::from_hash(h) == a && std::memcmp(h.data(), buf, 32) == 0, "to_hash, from_hash");
        mpz_fdiv_r_2exp(want, za, 160);
        FUZZ_CHECK(equals(uint256::from_address(a.to_address()), want), "to_address keeps the low 160 bits");
        uint256 slot;
        store_wide(slot, b);
        FUZZ_CHECK(slot == b, "store_wide");
        break;
    }
    case HEX: {
        const std::string s = a.to_hex();
        FUZZ_CHECK(s == reference_hex(za), "to_hex");
        const auto back = uint256::from_string(s);
        FUZZ_CHECK(back && *back == a, "from_string(to_hex(x)) == x");
        break;
    }
    case DECIMAL: {
        const std::string s = a.to_decimal();
        FUZZ_CHECK(s == reference_decimal(za), "to_decimal");
        const auto back = uint256::from_string(s);
        FUZZ_CHECK(back && *back == a, "from_string(to_decimal(x)) == x");
        break;
    }
    case PARSE: {
        const std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
        const auto got = uint256::from_string(s);
        const bool ok = reference_parse(s, want);
        FUZZ_CHECK(got.has_value() == ok, "from_string accepts what the grammar accepts");
        if (ok) FUZZ_CHECK(equals(*got, want), "from_string's value");
        break;
    }
    case NUM_OPS:
        break;
    }
    return 0;
}
