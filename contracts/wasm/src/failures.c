/* A contract whose functions fail on purpose, for the tests of how failures cross into the EVM:
 * spin() never returns (it runs out of gas), trap() reaches `unreachable`, divide(uint256)
 * divides 1000 by its argument's low 32 bits (a trap for zero), store_and_revert() writes slot 0
 * then reverts. */
#include "contract_abi.h"

enum {
    kSpin = 0xf0acd7d5,           /* spin() */
    kTrap = 0x8372d15a,           /* trap() */
    kDivide = 0x3e823f79,         /* divide(uint256) */
    kStoreAndRevert = 0xd36b4da4, /* store_and_revert() */
};

__attribute__((export_name("user_entrypoint"))) int user_entrypoint(int args_len) {
    if (!load_calldata(args_len)) return 1;
    switch (selector()) {
        case kSpin: {
            volatile uint32_t counter = 0;
            for (;;) counter = counter + 1;
        }
        case kTrap:
            __builtin_trap();
        case kDivide: {
            const word divisor_word = argument(0);
            const uint32_t divisor = ((uint32_t)divisor_word.bytes[28] << 24) | ((uint32_t)divisor_word.bytes[29] << 16) |
                                     ((uint32_t)divisor_word.bytes[30] << 8) | divisor_word.bytes[31];
            volatile uint32_t dividend = 1000;
            const word quotient = word_from_u64(dividend / divisor); /* i32.div_u traps on zero */
            return return_word(&quotient);
        }
        case kStoreAndRevert: {
            const word slot = word_zero();
            const word value = word_from_u64(0x5e7);
            storage_set(&slot, &value);
            storage_flush_cache(0);
            return 1;
        }
        default:
            return 1;
    }
}
