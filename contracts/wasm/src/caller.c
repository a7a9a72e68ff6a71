/* Forwards a call: the call data is one byte saying how (0 call, 1 delegate call, 2 static call),
 * the 20-byte target, then the data to send it with all the gas there is. Returns the callee's
 * output, or reverts with its revert data when the call fails. For the tests of calls between
 * WebAssembly and EVM contracts. */
#include "contract_abi.h"

enum { kCall = 0, kDelegateCall = 1, kStaticCall = 2 };

static uint8_t output[CALLDATA_CAPACITY];

__attribute__((export_name("user_entrypoint"))) int user_entrypoint(int args_len) {
    if (!load_calldata(args_len) || calldata_size < 21) return 1;
    const uint8_t* target = calldata + 1;
    const uint8_t* data = calldata + 21;
    const size_t data_size = calldata_size - 21;
    const uint64_t all_gas = ~(uint64_t)0; /* more than there is: the 63/64 rule caps it */
    size_t output_size = 0;
    uint8_t status;
    switch (calldata[0]) {
        case kCall: {
            const word no_value = word_zero();
            status = call_contract(target, data, data_size, no_value.bytes, all_gas, &output_size);
            break;
        }
        case kDelegateCall:
            status = delegate_call_contract(target, data, data_size, all_gas, &output_size);
            break;
        case kStaticCall:
            status = static_call_contract(target, data, data_size, all_gas, &output_size);
            break;
        default:
            return 1;
    }
    if (output_size > sizeof output) output_size = sizeof output;
    const size_t copied = read_return_data(output, 0, output_size);
    write_result(output, copied);
    return status == 0 ? 0 : 1;
}
