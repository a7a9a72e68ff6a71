#include "crypto/modexp.hpp"

#include <gmp.h>

#include <algorithm>

namespace polyvm {
namespace {

// Owns one GMP integer for the scope of a call.
class Mpz {
public:
    Mpz() noexcept { mpz_init(v_); }
    ~Mpz() { mpz_clear(v_); }
    Mpz(const Mpz&) = delete;
    Mpz& operator=(const Mpz&) = delete;
    mpz_ptr get() noexcept { return v_; }

private:
    mpz_t v_;
};

void load(mpz_ptr z, const PaddedBigEndian& x) noexcept {
    // Leading zero bytes are common (fixed-width operands); GMP skips them itself.
    if (!x.head.empty()) mpz_import(z, x.head.size(), /*order=*/1, /*size=*/1, /*endian=*/1, /*nails=*/0, x.head.data());
    else mpz_set_ui(z, 0);
    // The caller's gas check bounds zero_tail far below 2^61, so the bit count cannot wrap.
    if (x.zero_tail != 0 && mpz_sgn(z) != 0) mpz_mul_2exp(z, z, 8 * x.zero_tail);
}

}  // namespace

void modexp(const PaddedBigEndian& base, const PaddedBigEndian& exp, const PaddedBigEndian& mod,
            std::span<uint8_t> out) noexcept {
    std::fill(out.begin(), out.end(), uint8_t{0});
    Mpz m;
    load(m.get(), mod);
    if (mpz_sgn(m.get()) == 0) return;  // EIP-198: a zero modulus gives zero

    Mpz b, e, r;
    load(b.get(), base);
    load(e.get(), exp);
    // GMP follows the same conventions as the spec's Python pow(): 0^0 = 1, anything mod 1 = 0.
    mpz_powm(r.get(), b.get(), e.get(), m.get());

    // Keeps only the bytes that fit; a no-op whenever out is as wide as the modulus.
    mpz_tdiv_r_2exp(r.get(), r.get(), 8 * out.size());
    if (mpz_sgn(r.get()) == 0) return;
    const size_t len = (mpz_sizeinbase(r.get(), 2) + 7) / 8;
    size_t written = 0;
    mpz_export(out.data() + (out.size() - len), &written, /*order=*/1, /*size=*/1, /*endian=*/1, /*nails=*/0, r.get());
}

}  // namespace polyvm
