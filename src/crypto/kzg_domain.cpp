#include "crypto/kzg_domain.hpp"

namespace polyvm::kzg {
using bls12_381::Fr;

Fr root_of_unity(unsigned log_order) {
    bls12_381::Scalar exponent = bls12_381::kOrder;
    exponent[0] -= 1;  // r - 1 (r is odd); divisible by 2^32
    for (unsigned i = 0; i < log_order; ++i)
        for (size_t limb = 0; limb < 4; ++limb)
            exponent[limb] = (exponent[limb] >> 1) | (limb + 1 < 4 ? exponent[limb + 1] << 63 : 0);
    return Fr::from_u64(7).pow(exponent);
}

void fft(std::span<Fr> values, const Fr& omega, bool inverse) {
    const size_t n = values.size();
    unsigned log_n = 0;
    while ((size_t{1} << log_n) < n) ++log_n;
    for (size_t i = 0; i < n; ++i) {
        const size_t j = reverse_bits(i, log_n);
        if (i < j) std::swap(values[i], values[j]);
    }
    const Fr root = inverse ? omega.inverse() : omega;
    for (size_t half = 1; half < n; half *= 2) {
        // The root of order 2 half: root^(n / (2 half)).
        Fr step = root;
        for (size_t k = 2 * half; k < n; k *= 2) step = step * step;
        for (size_t start = 0; start < n; start += 2 * half) {
            Fr w = Fr::one();
            for (size_t j = 0; j < half; ++j, w = w * step) {
                const Fr odd = values[start + half + j] * w;
                values[start + half + j] = values[start + j] - odd;
                values[start + j] = values[start + j] + odd;
            }
        }
    }
    if (inverse) {
        const Fr scale = Fr::from_u64(n).inverse();
        for (Fr& v : values) v = v * scale;
    }
}

}  // namespace polyvm::kzg
