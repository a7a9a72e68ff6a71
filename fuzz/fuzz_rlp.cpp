// RLP decoding: never a crash on any input; what decodes re-encodes to the same bytes (the
// decoder accepts canonical encodings only).
#include "common/rlp.hpp"
#include "fuzz_target.hpp"

using namespace polyvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const bytes_view input(data, size);
    const auto decoded = rlp::decode(input);
    if (decoded) {
        const bytes again = rlp::encode(*decoded);
        FUZZ_CHECK(same_bytes(again, input), "a decoded RLP value re-encodes to its input");
    }
    return 0;
}
