#include "wasm/stylus_program.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>

#include <algorithm>
#include <memory>

namespace polyvm::wasm {

namespace {
Error malformed(size_t offset, std::string message) { return Error{ErrorKind::Malformed, offset, std::move(message)}; }
}  // namespace

bool is_stylus_program(bytes_view code) noexcept {
    return code.size() >= kStylusPrefix.size() && std::equal(kStylusPrefix.begin(), kStylusPrefix.end(), code.begin());
}

Result<bytes> decompress_stylus_program(bytes_view code) {
    if (!is_stylus_program(code)) return malformed(0, "not a Stylus program (no 0xEF 0xF0 0x00 prefix)");
    const size_t dictionary_at = kStylusPrefix.size();
    if (code.size() <= dictionary_at) return malformed(dictionary_at, "Stylus program without a dictionary byte");
    if (code[dictionary_at] != static_cast<uint8_t>(StylusDictionary::Empty))
        return malformed(dictionary_at, "unsupported Stylus dictionary " + std::to_string(code[dictionary_at]));

    const std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> decoder(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
    if (!decoder) return malformed(0, "out of memory for the Brotli decoder");
    // One byte more than the limit: a module that fills it is too large.
    bytes out(kMaxStylusModuleSize + 1);
    const uint8_t* next_in = code.data() + dictionary_at + 1;
    size_t available_in = code.size() - dictionary_at - 1;
    uint8_t* next_out = out.data();
    size_t available_out = out.size();
    const BrotliDecoderResult result =
        BrotliDecoderDecompressStream(decoder.get(), &available_in, &next_in, &available_out, &next_out, nullptr);
    const size_t produced = out.size() - available_out;
    const size_t consumed_at = static_cast<size_t>(next_in - code.data());
    if (produced > kMaxStylusModuleSize)
        return malformed(consumed_at, "Stylus module larger than " + std::to_string(kMaxStylusModuleSize) + " bytes");
    switch (result) {
        case BROTLI_DECODER_RESULT_SUCCESS:
            if (available_in != 0) return malformed(consumed_at, "bytes after the end of the Brotli stream");
            out.resize(produced);
            return out;
        case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
            return malformed(code.size(), "truncated Brotli stream");
        case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:  // cannot happen below the limit: checked above
        case BROTLI_DECODER_RESULT_ERROR:
            break;
    }
    return malformed(consumed_at, std::string("corrupt Brotli stream: ") +
                                      BrotliDecoderErrorString(BrotliDecoderGetErrorCode(decoder.get())));
}

bytes compress_stylus_program(bytes_view module) {
    bytes out(kStylusPrefix.begin(), kStylusPrefix.end());
    out.push_back(static_cast<uint8_t>(StylusDictionary::Empty));
    size_t compressed_size = BrotliEncoderMaxCompressedSize(module.size());
    if (compressed_size == 0) compressed_size = module.size() + 1024;  // 0: the bound overflowed
    const size_t header = out.size();
    out.resize(header + compressed_size);
    if (!BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, module.size(), module.data(),
                               &compressed_size, out.data() + header))
        return {};
    out.resize(header + compressed_size);
    return out;
}

}  // namespace polyvm::wasm
