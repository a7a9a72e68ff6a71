#include "common/types.hpp"

#include <random>

namespace polyvm {

uint64_t g_hash_key[5] = {};

namespace {
// Drawn once before main(); a map used during static initialisation hashes with the zero key,
// which is still a correct (if unkeyed) hash.
const bool g_hash_key_drawn = [] {
    std::random_device device;
    for (uint64_t& word : g_hash_key) word = (uint64_t{device()} << 32) | device();
    return true;
}();
}  // namespace

}  // namespace polyvm
