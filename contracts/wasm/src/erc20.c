/* An ERC-20 token with OpenZeppelin's ABI, events and custom errors (OpenZeppelin Contracts 5's
 * ERC20), and its storage layout: balances at slot 0, allowances at slot 1, total supply at slot 2.
 * mint(address,uint256) is open to anyone: this is a test token. Name "Polyvm Token", symbol "PVT",
 * 18 decimals. */
#include "contract_abi.h"

enum {
    kName = 0x06fdde03,          /* name() */
    kSymbol = 0x95d89b41,        /* symbol() */
    kDecimals = 0x313ce567,      /* decimals() */
    kTotalSupply = 0x18160ddd,   /* totalSupply() */
    kBalanceOf = 0x70a08231,     /* balanceOf(address) */
    kTransfer = 0xa9059cbb,      /* transfer(address,uint256) */
    kAllowance = 0xdd62ed3e,     /* allowance(address,address) */
    kApprove = 0x095ea7b3,       /* approve(address,uint256) */
    kTransferFrom = 0x23b872dd,  /* transferFrom(address,address,uint256) */
    kMint = 0x40c10f19,          /* mint(address,uint256) */
};

enum {
    kInsufficientBalance = 0xe450d38c,    /* ERC20InsufficientBalance(address,uint256,uint256) */
    kInvalidSender = 0x96c6fd1e,          /* ERC20InvalidSender(address) */
    kInvalidReceiver = 0xec442f05,        /* ERC20InvalidReceiver(address) */
    kInsufficientAllowance = 0xfb8f41b2,  /* ERC20InsufficientAllowance(address,uint256,uint256) */
    kInvalidSpender = 0x94280d62,         /* ERC20InvalidSpender(address) */
    kInvalidApprover = 0xe602df05,        /* ERC20InvalidApprover(address) */
};

static word balance_slot(const uint8_t owner[20]) {
    const word key = address_word(owner), slot = word_from_u64(0);
    return mapping_slot(&key, &slot);
}

static word allowance_slot(const uint8_t owner[20], const uint8_t spender[20]) {
    const word owner_key = address_word(owner), spender_key = address_word(spender), slot = word_from_u64(1);
    const word inner = mapping_slot(&owner_key, &slot);
    return mapping_slot(&spender_key, &inner);
}

static void emit_three_topics(const char* signature, const uint8_t a[20], const uint8_t b[20], const word* value) {
    uint8_t log[4 * 32];
    const word topic = signature_hash(signature), first = address_word(a), second = address_word(b);
    copy32(log, topic.bytes);
    copy32(log + 32, first.bytes);
    copy32(log + 64, second.bytes);
    copy32(log + 96, value->bytes);
    emit_log(log, sizeof log, 3);
}

/* OpenZeppelin's _update: moves value from `from` to `to`; the zero address mints or burns. */
static int update(const uint8_t from[20], const uint8_t to[20], const word* value) {
    const word supply_slot = word_from_u64(2);
    if (address_is_zero(from)) {
        word supply = storage_get(&supply_slot);
        if (word_add(&supply, &supply, value)) return 1;  /* total supply overflow: Panic in Solidity */
        storage_set(&supply_slot, &supply);
    } else {
        const word from_slot = balance_slot(from);
        word balance = storage_get(&from_slot);
        if (word_less(&balance, value)) {
            const word args[3] = {address_word(from), balance, *value};
            return revert_with(kInsufficientBalance, args, 3);
        }
        word_sub(&balance, &balance, value);
        storage_set(&from_slot, &balance);
    }
    if (address_is_zero(to)) {
        word supply = storage_get(&supply_slot);
        word_sub(&supply, &supply, value);
        storage_set(&supply_slot, &supply);
    } else {
        const word to_slot = balance_slot(to);
        word balance = storage_get(&to_slot);
        word_add(&balance, &balance, value);  /* cannot overflow: bounded by the total supply */
        storage_set(&to_slot, &balance);
    }
    emit_three_topics("Transfer(address,address,uint256)", from, to, value);
    return 0;
}

static int transfer(const uint8_t from[20], const uint8_t to[20], const word* value) {
    if (address_is_zero(from)) {
        const word args[1] = {address_word(from)};
        return revert_with(kInvalidSender, args, 1);
    }
    if (address_is_zero(to)) {
        const word args[1] = {address_word(to)};
        return revert_with(kInvalidReceiver, args, 1);
    }
    return update(from, to, value);
}

static int approve(const uint8_t owner[20], const uint8_t spender[20], const word* value, int emit) {
    if (address_is_zero(owner)) {
        const word args[1] = {address_word(owner)};
        return revert_with(kInvalidApprover, args, 1);
    }
    if (address_is_zero(spender)) {
        const word args[1] = {address_word(spender)};
        return revert_with(kInvalidSpender, args, 1);
    }
    const word slot = allowance_slot(owner, spender);
    storage_set(&slot, value);
    if (emit) emit_three_topics("Approval(address,address,uint256)", owner, spender, value);
    return 0;
}

/* A string result: offset 32, length, the bytes padded to a word. */
static int return_string(const char* text) {
    uint8_t out[96] = {0};
    size_t n = 0;
    while (text[n] && n < 32) ++n;
    out[31] = 32;
    out[63] = (uint8_t)n;
    for (size_t k = 0; k < n; ++k) out[64 + k] = (uint8_t)text[k];
    write_result(out, sizeof out);
    return 0;
}

static int return_true(void) {
    const word one = word_from_u64(1);
    return return_word(&one);
}

static int dispatch(void) {
    uint8_t sender[20], a[20], b[20];
    msg_sender(sender);
    switch (selector()) {
        case kName:
            return return_string("Polyvm Token");
        case kSymbol:
            return return_string("PVT");
        case kDecimals: {
            const word decimals = word_from_u64(18);
            return return_word(&decimals);
        }
        case kTotalSupply: {
            const word slot = word_from_u64(2);
            const word supply = storage_get(&slot);
            return return_word(&supply);
        }
        case kBalanceOf: {
            if (!address_argument(0, a)) return 1;
            const word slot = balance_slot(a);
            const word balance = storage_get(&slot);
            return return_word(&balance);
        }
        case kAllowance: {
            if (!address_argument(0, a) || !address_argument(1, b)) return 1;
            const word slot = allowance_slot(a, b);
            const word allowed = storage_get(&slot);
            return return_word(&allowed);
        }
        case kTransfer: {
            if (!address_argument(0, a)) return 1;
            const word value = argument(1);
            if (transfer(sender, a, &value)) return 1;
            return return_true();
        }
        case kApprove: {
            if (!address_argument(0, a)) return 1;
            const word value = argument(1);
            if (approve(sender, a, &value, 1)) return 1;
            return return_true();
        }
        case kTransferFrom: {
            if (!address_argument(0, a) || !address_argument(1, b)) return 1;
            const word value = argument(2);
            /* OpenZeppelin's _spendAllowance: an infinite (max) allowance is never decreased. */
            const word slot = allowance_slot(a, sender);
            word allowed = storage_get(&slot);
            if (!word_is_max(&allowed)) {
                if (word_less(&allowed, &value)) {
                    const word args[3] = {address_word(sender), allowed, value};
                    return revert_with(kInsufficientAllowance, args, 3);
                }
                word_sub(&allowed, &allowed, &value);
                if (approve(a, sender, &allowed, 0)) return 1;
            }
            if (transfer(a, b, &value)) return 1;
            return return_true();
        }
        case kMint: {
            if (!address_argument(0, a)) return 1;
            if (address_is_zero(a)) {
                const word args[1] = {address_word(a)};
                return revert_with(kInvalidReceiver, args, 1);
            }
            const word value = argument(1);
            const uint8_t zero[20] = {0};
            return update(zero, a, &value);
        }
        default:
            return 1;
    }
}

__attribute__((export_name("user_entrypoint"))) int user_entrypoint(int args_len) {
    if (!load_calldata(args_len)) return 1;
    const int status = dispatch();
    if (status == 0) storage_flush_cache(0);  /* a revert discards the cached writes */
    return status;
}
