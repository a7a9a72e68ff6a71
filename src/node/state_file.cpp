#include "node/state_file.hpp"

#include "crypto/keccak.hpp"
#include "node/dev_node.hpp"
#include "node/rpc_format.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace polyvm::node {
using json = nlohmann::json;


json dump_state_json(DevNode& node) {
    DevChain& chain = node.chain();
    auto view = chain.state_at(chain.head().number);
    std::map<Address, bool> addresses;
    const auto dumped = chain.database().dump();
    for (const auto& a : dumped) addresses[a.address] = true;
    for (const auto& change : chain.pending_changes().accounts) addresses[change.address] = true;
    std::map<Address, std::map<uint256, uint256>> storage;
    for (const auto& a : dumped)
        for (const auto& [k, v] : a.storage) storage[a.address][k] = v;
    for (const auto& change : chain.pending_changes().accounts) {
        if (change.storage_wiped || !change.account) storage.erase(change.address);
        for (const auto& [k, v] : change.storage) storage[change.address][k] = v;
    }
    json accounts = json::object();
    for (const auto& [address, unused] : addresses) {
        const auto info = view->read_account(address);
        if (!info) continue;
        json entry = {{"balance", rpc::quantity(info->balance)}, {"nonce", info->nonce}};
        if (info->code_hash != kEmptyCodeHash)
            if (const auto code = view->read_code(info->code_hash)) entry["code"] = rpc::data_hex(*code);
        json slots = json::object();
        for (const auto& [k, v] : storage[address])
            if (!v.is_zero()) slots[rpc::hex(k.to_hash())] = rpc::hex(v.to_hash());
        if (!slots.empty()) entry["storage"] = std::move(slots);
        accounts[rpc::hex(address)] = std::move(entry);
    }
    return {{"block", {{"number", rpc::quantity(chain.head().number)}, {"timestamp", rpc::quantity(chain.head().timestamp)}}},
            {"accounts", std::move(accounts)}};
}

void load_state_json(DevNode& node, const json& dump) {
    if (!dump.is_object() || !dump.contains("accounts") || !dump["accounts"].is_object())
        throw std::invalid_argument("state dump: expected an object with \"accounts\"");
    ChangeSet changes;
    for (const auto& [address_text, entry] : dump["accounts"].items()) {
        const std::string where = "state dump: account " + address_text;
        if (!entry.is_object()) throw std::invalid_argument(where + ": expected an object");
        AccountChange change;
        try {
            change.address = rpc::decode_address(address_text);
            AccountInfo info;
            if (entry.contains("balance")) info.balance = rpc::decode_quantity(entry["balance"]);
            if (entry.contains("nonce")) info.nonce = rpc::decode_quantity_u64(entry["nonce"]);
            if (entry.contains("code")) {
                const bytes code = rpc::decode_data(entry["code"]);
                if (!code.empty()) {
                    info.code_hash = keccak256(code);
                    changes.codes.emplace_back(info.code_hash, std::make_shared<const bytes>(code));
                }
            }
            if (entry.contains("storage")) {
                if (!entry["storage"].is_object()) throw rpc::DecodeError("storage must be an object");
                for (const auto& [key, value] : entry["storage"].items())
                    change.storage.emplace_back(uint256::from_hash(rpc::decode_hash(key)), decode_storage_key(value));
                std::sort(change.storage.begin(), change.storage.end());
            }
            change.account = info;
            change.storage_wiped = true;
        } catch (const rpc::DecodeError& e) {
            throw std::invalid_argument(where + ": " + e.what());
        }
        changes.accounts.push_back(std::move(change));
    }
    std::sort(changes.accounts.begin(), changes.accounts.end(),
              [](const AccountChange& a, const AccountChange& b) { return a.address < b.address; });
    node.chain().modify(changes);
}

void write_state_file(const std::string& path, const json& dump) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot open " + tmp + " for writing");
        out << dump.dump(1) << '\n';
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

json read_state_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream text;
    text << in.rdbuf();
    try {
        return json::parse(text.str());
    } catch (const json::exception& e) {
        throw std::runtime_error(path + " is not valid JSON: " + e.what());
    }
}

void DevNode::load_state_file(const std::string& path) {
    std::unique_lock lock(chain_mutex_);
    load_state_json(*this, read_state_file(path));
}

}  // namespace polyvm::node
