/* A counter: count() returns it, increment() adds one, set(uint256) replaces it; slot 0. */
#include "contract_abi.h"

enum {
    kCount = 0x06661abd,      /* count() */
    kIncrement = 0xd09de08a,  /* increment() */
    kSet = 0x60fe47b1,        /* set(uint256) */
};

__attribute__((export_name("user_entrypoint"))) int user_entrypoint(int args_len) {
    if (!load_calldata(args_len)) return 1;
    const word slot = word_zero();
    switch (selector()) {
        case kCount: {
            const word value = storage_get(&slot);
            return return_word(&value);
        }
        case kIncrement: {
            word value = storage_get(&slot);
            const word one = word_from_u64(1);
            word_add(&value, &value, &one);
            storage_set(&slot, &value);
            storage_flush_cache(0);
            return 0;
        }
        case kSet: {
            const word value = argument(0);
            storage_set(&slot, &value);
            storage_flush_cache(0);
            return 0;
        }
        default:
            return 1;  /* unknown function, like a Solidity contract without a fallback */
    }
}
