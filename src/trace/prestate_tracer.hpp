// geth's prestateTracer: every account the transaction touched as it was before it ran, or with
// diffMode what changed ({"pre":..., "post":...}).
#pragma once

#include "trace/transaction_trace.hpp"

#include <map>
#include <set>

namespace polyvm::trace {

struct PrestateTracerConfig {
    bool diff_mode = false;
    bool disable_code = false;
    bool disable_storage = false;
};

class PrestateTracer final : public TransactionTracer {
public:
    explicit PrestateTracer(const PrestateTracerConfig& config) : config_(config) {}

    void begin(State& state, const BlockInfo& block, const Transaction& tx, Revision rev) override;
    void on_frame_start(const Message& msg, Revision rev, bytes_view code) override;
    void on_step(const TraceStep& step) override;
    void on_frame_end(const Message& msg, const ExecutionResult& result) override;
    void on_selfdestruct(const Address& addr, const Address& beneficiary, const uint256& balance) override;
    void finish(State& state, const TransactionOutcome& outcome) override;
    nlohmann::json result(const TransactionOutcome& outcome, const Transaction& tx) override;

private:
    struct AccountState {
        uint256 balance;
        uint64_t nonce = 0;
        bytes code;
        std::map<uint256, uint256> storage;
        bool empty = false;  // no nonce, balance or code when first seen
        // diffMode's post shows only the fields that changed.
        bool show_balance = true;
        bool show_nonce = true;
        bool show_code = true;
    };

    void compute_diff(State& state);

    /// Records `addr` as it is now, the first time it is seen.
    void look_up_account(const Address& addr);
    void look_up_storage(const Address& addr, const uint256& key);
    nlohmann::json to_json(const AccountState& account) const;

    PrestateTracerConfig config_;
    State* state_ = nullptr;
    Revision rev_ = Revision::Cancun;
    std::vector<Address> frame_addresses_;  // by depth: whose storage and code the frame acts on
    std::map<Address, AccountState> pre_;
    std::map<Address, AccountState> post_;
    std::set<Address> created_;
    std::set<Address> self_destructed_;
};

}  // namespace polyvm::trace
