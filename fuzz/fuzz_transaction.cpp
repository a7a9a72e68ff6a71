// Transaction decoding (every type) and sender recovery: never a crash; a decoded transaction
// re-encodes to its input; recovery either gives a sender or a named error, under every fork.
#include "fuzz_target.hpp"
#include "tx/transaction.hpp"

using namespace polyvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const bytes_view input(data, size);
    auto decoded = decode_transaction(input);
    auto* tx = std::get_if<Transaction>(&decoded);
    if (!tx) {
        FUZZ_CHECK(!std::get<TransactionError>(decoded).rule.empty(), "a rejected transaction names its rule");
        return 0;
    }
    FUZZ_CHECK(same_bytes(encode_transaction(*tx), input), "a decoded transaction re-encodes to its input");
    for (const Revision rev : {Revision::Homestead, Revision::London, Revision::Prague}) {
        Transaction copy = *tx;
        const auto sender = recover_sender(copy, rev);
        if (const auto* error = std::get_if<TransactionError>(&sender))
            FUZZ_CHECK(!error->rule.empty(), "a failed recovery names its rule");
    }
    return 0;
}
