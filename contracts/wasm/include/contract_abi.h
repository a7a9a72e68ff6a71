/* Small helpers for Solidity-ABI contracts in C: 32-byte big-endian words, selectors, mapping
 * slots laid out as Solidity lays them out (so tools read a C contract's storage like a Solidity
 * contract's), results and reverts. Header-only; every function is `static inline` (a contract uses only some). */
#ifndef POLYVM_CONTRACT_ABI_H
#define POLYVM_CONTRACT_ABI_H

#include "stylus_hooks.h"

typedef struct {
    uint8_t bytes[32];
} word;

static inline word word_zero(void) {
    word w = {{0}};
    return w;
}

/* 8 bytes at a time: copies and zero tests need no byte order, and one i64 load or store is an
 * eighth of the instructions (and so of the gas) of a byte loop. */
static inline uint64_t load8(const uint8_t* p) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}
static inline void store8(uint8_t* p, uint64_t v) { __builtin_memcpy(p, &v, 8); }
static inline uint32_t load4(const uint8_t* p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}
static inline void store4(uint8_t* p, uint32_t v) { __builtin_memcpy(p, &v, 4); }
static inline void copy32(uint8_t* to, const uint8_t* from) {
    for (int i = 0; i < 32; i += 8) store8(to + i, load8(from + i));
}
static inline void copy20(uint8_t* to, const uint8_t* from) {
    store8(to, load8(from));
    store8(to + 8, load8(from + 8));
    store4(to + 16, load4(from + 16));
}

static inline word word_from_u64(uint64_t v) {
    word w = word_zero();
    for (int i = 0; i < 8; ++i) w.bytes[31 - i] = (uint8_t)(v >> (8 * i));
    return w;
}

static inline int word_is_zero(const word* w) {
    return (load8(w->bytes) | load8(w->bytes + 8) | load8(w->bytes + 16) | load8(w->bytes + 24)) == 0;
}

/* a < b as unsigned 256-bit numbers */
static inline int word_less(const word* a, const word* b) {
    int i = 0;
    while (i < 24 && load8(a->bytes + i) == load8(b->bytes + i)) i += 8;  /* skip equal 8-byte runs */
    for (; i < 32; ++i)
        if (a->bytes[i] != b->bytes[i]) return a->bytes[i] < b->bytes[i];
    return 0;
}

/* a + b modulo 2^256; returns the carry out */
static inline int word_add(word* r, const word* a, const word* b) {
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {
        const unsigned s = (unsigned)a->bytes[i] + b->bytes[i] + carry;
        r->bytes[i] = (uint8_t)s;
        carry = s >> 8;
    }
    return (int)carry;
}

/* a - b modulo 2^256 (callers check a >= b first) */
static inline void word_sub(word* r, const word* a, const word* b) {
    int borrow = 0;
    for (int i = 31; i >= 0; --i) {
        const int d = (int)a->bytes[i] - b->bytes[i] - borrow;
        r->bytes[i] = (uint8_t)d;
        borrow = d < 0;
    }
}

static inline int word_is_max(const word* w) {
    return (load8(w->bytes) & load8(w->bytes + 8) & load8(w->bytes + 16) & load8(w->bytes + 24)) == ~(uint64_t)0;
}

/* The calldata, read once per call. */
#define CALLDATA_CAPACITY 4096
static uint8_t calldata[CALLDATA_CAPACITY];
static size_t calldata_size;

static inline uint32_t selector(void) {
    if (calldata_size < 4) return 0;
    return ((uint32_t)calldata[0] << 24) | ((uint32_t)calldata[1] << 16) | ((uint32_t)calldata[2] << 8) | calldata[3];
}

/* ABI argument i (a 32-byte word after the selector); 0 when the calldata is too short. */
static inline word argument(size_t i) {
    word w = word_zero();
    const size_t at = 4 + 32 * i;
    if (at + 32 <= calldata_size) copy32(w.bytes, calldata + at);
    return w;
}

/* An address argument: the low 20 bytes of its word (Solidity checks the top 12 are zero). */
static inline int address_argument(size_t i, uint8_t address[20]) {
    const word w = argument(i);
    if ((load8(w.bytes) | load4(w.bytes + 8)) != 0) return 0;
    copy20(address, w.bytes + 12);
    return 1;
}

static inline word address_word(const uint8_t address[20]) {
    word w = word_zero();
    copy20(w.bytes + 12, address);
    return w;
}

static inline int address_is_zero(const uint8_t address[20]) {
    return (load8(address) | load8(address + 8) | load4(address + 16)) == 0;
}

/* Solidity's mapping slot: keccak256(key . slot) */
static inline word mapping_slot(const word* key, const word* slot) {
    uint8_t preimage[64];
    copy32(preimage, key->bytes);
    copy32(preimage + 32, slot->bytes);
    word out;
    native_keccak256(preimage, 64, out.bytes);
    return out;
}

static inline word storage_get(const word* key) {
    word value;
    storage_load_bytes32(key->bytes, value.bytes);
    return value;
}

static inline void storage_set(const word* key, const word* value) { storage_cache_bytes32(key->bytes, value->bytes); }

/* keccak256 of a NUL-terminated signature (event topics). */
static inline word signature_hash(const char* signature) {
    size_t n = 0;
    while (signature[n]) ++n;
    word out;
    native_keccak256((const uint8_t*)signature, n, out.bytes);
    return out;
}

static inline int return_word(const word* w) {
    write_result(w->bytes, 32);
    return 0;
}

/* A Solidity custom error with up to three word arguments: selector, then the words. */
static inline int revert_with(uint32_t error_selector, const word* args, size_t count) {
    uint8_t out[4 + 3 * 32];
    out[0] = (uint8_t)(error_selector >> 24);
    out[1] = (uint8_t)(error_selector >> 16);
    out[2] = (uint8_t)(error_selector >> 8);
    out[3] = (uint8_t)error_selector;
    for (size_t i = 0; i < count && i < 3; ++i) copy32(out + 4 + 32 * i, args[i].bytes);
    write_result(out, 4 + 32 * count);
    return 1;
}

/* Reads the calldata; 0 when it does not fit the buffer. */
static inline int load_calldata(int args_len) {
    if (args_len < 0 || (size_t)args_len > CALLDATA_CAPACITY) return 0;
    calldata_size = (size_t)args_len;
    read_args(calldata);
    return 1;
}

#endif
