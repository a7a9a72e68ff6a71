/* Answers with what the host functions say, one function per group of hooks, for the tests of
 * each hook (results are 32-byte words back to back):
 *   environment()              msg_sender, contract_address, tx_origin, msg_value, chainid,
 *                              block_number, block_timestamp, block_gas_limit, block_basefee,
 *                              block_coinbase, tx_gas_price, tx_ink_price, msg_reentrant
 *   account(address)           balance, code size, code hash, the code's first 32 bytes
 *   math(uint256 a, b, m)      a / b, a % b, a ** b, (a + b) % m, (a * b) % m
 *   transient(uint256 v)       stores v in transient slot 1 and loads it back
 *   emit()                     a log: topic keccak256("Probe()"), data the word 7
 *   create(uint256 salt)       creates a contract from the init code that follows the salt word
 *                              (create1 when the salt is 0, else create2): address, revert size
 *   gas()                      evm_gas_left, evm_ink_left
 *   reentrant()                msg_reentrant
 *   call_self_reentrant()      calls reentrant() on itself and returns its answer
 *   pay(address to, uint256 v) calls `to` with value v and no data: the call's status, then
 *                              to's balance
 *   out_of_bounds()            passes a pointer past the end of memory (a trap)
 *   exit_early(uint256 s)      sets the result to the word 0x99 and exits with status s */
#include "contract_abi.h"

enum {
    kEnvironment = 0x74e2b63c,
    kAccount = 0x73b9aa91,
    kMath = 0x98d597c4,
    kTransient = 0xfabc9efa,
    kEmit = 0x3bdab8bf,
    kCreate = 0x780900dc,
    kGas = 0x6ca7c216,
    kReentrant = 0xe9ca4e9a,
    kCallSelfReentrant = 0xe600eafd,
    kOutOfBounds = 0xf4fb4774,
    kExitEarly = 0xe2fac4b8,
    kPay = 0xc4076876,
};

static uint8_t out[13 * 32];

static void put_word(size_t i, const word* w) {
    for (int k = 0; k < 32; ++k) out[32 * i + k] = w->bytes[k];
}

static void put_u64(size_t i, uint64_t v) {
    const word w = word_from_u64(v);
    put_word(i, &w);
}

/* An address as a word: 12 zero bytes, then the address. */
static void put_address(size_t i, void (*hook)(uint8_t*)) {
    uint8_t address[20];
    hook(address);
    const word w = address_word(address);
    put_word(i, &w);
}

static void put_hook_word(size_t i, void (*hook)(uint8_t*)) {
    word w;
    hook(w.bytes);
    put_word(i, &w);
}

static int finish(size_t words) {
    write_result(out, 32 * words);
    return 0;
}

static uint64_t low_u64(const word* w) {
    uint64_t v = 0;
    for (int k = 24; k < 32; ++k) v = (v << 8) | w->bytes[k];
    return v;
}

__attribute__((export_name("user_entrypoint"))) int user_entrypoint(int args_len) {
    if (!load_calldata(args_len)) return 1;
    switch (selector()) {
        case kEnvironment:
            put_address(0, msg_sender);
            put_address(1, contract_address);
            put_address(2, tx_origin);
            put_hook_word(3, msg_value);
            put_u64(4, chainid());
            put_u64(5, block_number());
            put_u64(6, block_timestamp());
            put_u64(7, block_gas_limit());
            put_hook_word(8, block_basefee);
            put_address(9, block_coinbase);
            put_hook_word(10, tx_gas_price);
            put_u64(11, tx_ink_price());
            put_u64(12, (uint64_t)msg_reentrant());
            return finish(13);
        case kAccount: {
            uint8_t address[20];
            if (!address_argument(0, address)) return 1;
            word w;
            account_balance(address, w.bytes);
            put_word(0, &w);
            put_u64(1, account_code_size(address));
            account_codehash(address, w.bytes);
            put_word(2, &w);
            w = word_zero();
            account_code(address, 0, 32, w.bytes);
            put_word(3, &w);
            return finish(4);
        }
        case kMath: {
            const word a = argument(0), b = argument(1), m = argument(2);
            word r = a;
            math_div(r.bytes, b.bytes);
            put_word(0, &r);
            r = a;
            math_mod(r.bytes, b.bytes);
            put_word(1, &r);
            r = a;
            math_pow(r.bytes, b.bytes);
            put_word(2, &r);
            r = a;
            math_add_mod(r.bytes, b.bytes, m.bytes);
            put_word(3, &r);
            r = a;
            math_mul_mod(r.bytes, b.bytes, m.bytes);
            put_word(4, &r);
            return finish(5);
        }
        case kTransient: {
            const word key = word_from_u64(1), value = argument(0);
            word loaded;
            transient_store_bytes32(key.bytes, value.bytes);
            transient_load_bytes32(key.bytes, loaded.bytes);
            put_word(0, &loaded);
            return finish(1);
        }
        case kEmit: {
            uint8_t log[64];
            const word topic = signature_hash("Probe()"), data = word_from_u64(7);
            for (int k = 0; k < 32; ++k) {
                log[k] = topic.bytes[k];
                log[32 + k] = data.bytes[k];
            }
            emit_log(log, sizeof log, 1);
            return finish(0);
        }
        case kCreate: {
            if (calldata_size < 36) return 1;
            const word salt = argument(0), no_value = word_zero();
            uint8_t created[20];
            size_t revert_size = 0;
            if (word_is_zero(&salt))
                create1(calldata + 36, calldata_size - 36, no_value.bytes, created, &revert_size);
            else
                create2(calldata + 36, calldata_size - 36, no_value.bytes, salt.bytes, created, &revert_size);
            const word address = address_word(created);
            put_word(0, &address);
            put_u64(1, revert_size);
            return finish(2);
        }
        case kGas: {
            const uint64_t gas = evm_gas_left();
            const uint64_t ink = evm_ink_left();
            put_u64(0, gas);
            put_u64(1, ink);
            return finish(2);
        }
        case kReentrant:
            put_u64(0, (uint64_t)msg_reentrant());
            return finish(1);
        case kCallSelfReentrant: {
            uint8_t self[20];
            contract_address(self);
            const uint8_t call[4] = {0xe9, 0xca, 0x4e, 0x9a};
            const word no_value = word_zero();
            size_t size = 0;
            if (call_contract(self, call, sizeof call, no_value.bytes, ~(uint64_t)0, &size) != 0 || size != 32) return 1;
            read_return_data(out, 0, 32);
            return finish(1);
        }
        case kOutOfBounds: {
            word value;
            storage_load_bytes32((const uint8_t*)0xFFFFFFF0u, value.bytes);
            return 1;
        }
        case kPay: {
            uint8_t to[20];
            if (!address_argument(0, to)) return 1;
            const word value = argument(1);
            size_t size = 0;
            const uint8_t status = call_contract(to, calldata, 0, value.bytes, ~(uint64_t)0, &size);
            put_u64(0, status);
            word balance;
            account_balance(to, balance.bytes);
            put_word(1, &balance);
            return finish(2);
        }
        case kExitEarly: {
            const word status = argument(0);
            put_u64(0, 0x99);
            write_result(out, 32);
            exit_early((int32_t)low_u64(&status));
        }
        default:
            return 1;
    }
}
