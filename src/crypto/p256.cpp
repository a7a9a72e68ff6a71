#include "crypto/p256.hpp"

#include "crypto/openssl_library.hpp"

#include <openssl/obj_mac.h>

#include <memory>

namespace polyvm {
namespace {
const openssl::Library& ssl() noexcept { return openssl::library(); }

struct BnCtxFree {
    void operator()(BN_CTX* c) const noexcept { ssl().BN_CTX_free(c); }
};
struct PointFree {
    void operator()(EC_POINT* p) const noexcept { ssl().EC_POINT_free(p); }
};
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxFree>;
using PointPtr = std::unique_ptr<EC_POINT, PointFree>;

/// The curve and its constants, built once and only read afterwards (OpenSSL allows a group to
/// be shared between threads for read-only use).
struct Curve {
    EC_GROUP* group = nullptr;
    BIGNUM* p = nullptr;        // field prime
    const BIGNUM* n = nullptr;  // group order (owned by group)

    Curve() noexcept {
        group = ssl().EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
        if (!group) return;
        p = ssl().BN_new();
        if (!p || !ssl().EC_GROUP_get_curve(group, p, nullptr, nullptr, nullptr)) {
            ssl().BN_free(p);
            p = nullptr;
            return;
        }
        n = ssl().EC_GROUP_get0_order(group);
    }
    ~Curve() {
        ssl().BN_free(p);
        ssl().EC_GROUP_free(group);
    }
    Curve(const Curve&) = delete;
    Curve& operator=(const Curve&) = delete;
    bool ok() const noexcept { return group && p && n; }
};

const Curve& curve() noexcept {
    static const Curve c;
    return c;
}

}  // namespace

bool p256_verify(bytes_view input) noexcept {
    if (input.size() != kP256VerifyInputSize) return false;
    const Curve& c = curve();
    if (!c.ok()) return false;
    const openssl::Library& library = openssl::library();

    BnCtxPtr ctx{library.BN_CTX_new()};
    if (!ctx) return false;
    library.BN_CTX_start(ctx.get());
    BIGNUM* e = library.BN_CTX_get(ctx.get());
    BIGNUM* r = library.BN_CTX_get(ctx.get());
    BIGNUM* s = library.BN_CTX_get(ctx.get());
    BIGNUM* qx = library.BN_CTX_get(ctx.get());
    BIGNUM* qy = library.BN_CTX_get(ctx.get());
    BIGNUM* w = library.BN_CTX_get(ctx.get());
    BIGNUM* u1 = library.BN_CTX_get(ctx.get());
    BIGNUM* u2 = library.BN_CTX_get(ctx.get());
    BIGNUM* x = library.BN_CTX_get(ctx.get());
    bool valid = false;
    [&] {
        if (!x) return;  // BN_CTX_get fails for all later calls once one fails
        const uint8_t* in = input.data();
        if (!library.BN_bin2bn(in, 32, e) || !library.BN_bin2bn(in + 32, 32, r) || !library.BN_bin2bn(in + 64, 32, s) ||
            !library.BN_bin2bn(in + 96, 32, qx) || !library.BN_bin2bn(in + 128, 32, qy))
            return;

        // EIP-7951: 0 < r < n and 0 < s < n (no low-s rule: malleable signatures verify).
        if (library.BN_is_zero(r) || library.BN_cmp(r, c.n) >= 0 || library.BN_is_zero(s) || library.BN_cmp(s, c.n) >= 0) return;
        // EIP-7951: 0 <= qx, qy < p, checked before the point is built so that no coordinate is
        // silently reduced modulo p.
        if (library.BN_cmp(qx, c.p) >= 0 || library.BN_cmp(qy, c.p) >= 0) return;
        PointPtr q{library.EC_POINT_new(c.group)};
        if (!q) return;
        // EIP-7951: the key must satisfy y^2 = x^3 + ax + b. OpenSSL refuses to set coordinates of
        // a point off the curve; the explicit check keeps that rule independent of the version.
        if (!library.EC_POINT_set_affine_coordinates(c.group, q.get(), qx, qy, ctx.get())) return;
        if (library.EC_POINT_is_on_curve(c.group, q.get(), ctx.get()) != 1) return;

        // Standard ECDSA: w = s^-1, u1 = e w, u2 = r w (mod n), R' = u1 G + u2 Q. The hash is used
        // whole (it is exactly as wide as n), reduced mod n by the multiplication.
        if (!library.BN_mod_inverse(w, s, c.n, ctx.get())) return;
        if (!library.BN_mod_mul(u1, e, w, c.n, ctx.get()) || !library.BN_mod_mul(u2, r, w, c.n, ctx.get())) return;
        PointPtr rp{library.EC_POINT_new(c.group)};
        if (!rp || !library.EC_POINT_mul(c.group, rp.get(), u1, q.get(), u2, ctx.get())) return;
        // EIP-7951: R' at infinity fails.
        if (library.EC_POINT_is_at_infinity(c.group, rp.get())) return;
        if (!library.EC_POINT_get_affine_coordinates(c.group, rp.get(), x, nullptr, ctx.get())) return;
        // EIP-7951: R'.x ≡ r (mod n): x may exceed n (it is below p).
        if (!library.BN_nnmod(x, x, c.n, ctx.get())) return;
        valid = library.BN_cmp(x, r) == 0;
    }();
    library.BN_CTX_end(ctx.get());
    return valid;
}

}  // namespace polyvm
