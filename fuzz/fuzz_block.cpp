// Block and header decoding: never a crash; a decoded block re-encodes to its input.
#include "chain/block.hpp"
#include "fuzz_target.hpp"

using namespace polyvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const bytes_view input(data, size);
    const auto block = decode_block(input);
    if (const auto* b = std::get_if<Block>(&block))
        FUZZ_CHECK(same_bytes(encode_block(*b), input), "a decoded block re-encodes to its input");
    const auto header = decode_header(input);
    if (const auto* h = std::get_if<BlockHeader>(&header))
        FUZZ_CHECK(same_bytes(encode_header(*h), input), "a decoded header re-encodes to its input");
    return 0;
}
