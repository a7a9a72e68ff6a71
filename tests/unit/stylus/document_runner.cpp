// Reads the JSON test documents of tests/fixtures/stylus/ into Document values (format:
// docs/wasm_contracts.md, "Test documents").
#include "unit/stylus/document_runner.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace polyvm::stylus_test {
namespace {

using json = nlohmann::ordered_json;

std::string fixture_folder() { return std::string(POLYVM_SOURCE_DIR) + "/tests/fixtures/stylus"; }

[[noreturn]] void malformed(const std::string& field, const std::string& why) {
    throw std::runtime_error(field + ": " + why);
}

/// Interprets one document; `field` paths in errors are JSON-pointer-like ("pre/0x../code").
class DocumentReader {
public:
    explicit DocumentReader(std::string& missing_contract) : missing_contract_(missing_contract) {}

    Document read(const std::string& name, const json& doc) {
        if (!doc.is_object()) malformed(name, "a document is an object");
        Document out;
        out.name = name;
        if (doc.contains("wasmContracts")) out.wasm_contracts = doc["wasmContracts"].get<bool>();
        // Labels first: later fields may use them, and a label may use the ones before it.
        if (doc.contains("labels"))
            for (const auto& [label, spec] : doc["labels"].items()) labels_[label] = address_spec(spec, "labels/" + label);
        if (doc.contains("pre"))
            for (const auto& [key, account] : doc["pre"].items()) {
                const std::string field = "pre/" + key;
                PreAccount pre;
                pre.address = address(key, field);
                if (account.contains("code")) pre.code = bytes_spec(account["code"], field + "/code");
                if (account.contains("balance")) pre.balance = number(account["balance"], field + "/balance");
                if (account.contains("storage")) pre.storage = storage(account["storage"], field + "/storage");
                out.pre.push_back(std::move(pre));
            }
        if (!doc.contains("transactions") || !doc["transactions"].is_array()) malformed(name, "no transactions list");
        for (size_t i = 0; i < doc["transactions"].size(); ++i)
            out.steps.push_back(transaction(doc["transactions"][i], "transactions/" + std::to_string(i)));
        if (doc.contains("post"))
            for (const auto& [key, account] : doc["post"].items()) {
                const std::string field = "post/" + key;
                PostAccount post;
                post.address = address(key, field);
                post.should_not_exist = account.value("shouldNotExist", false);
                if (account.contains("storage")) post.storage = storage(account["storage"], field + "/storage");
                if (account.contains("balance")) post.balance = number(account["balance"], field + "/balance");
                if (account.contains("code")) post.code = bytes_spec(account["code"], field + "/code");
                out.post.push_back(std::move(post));
            }
        return out;
    }

private:
    Step transaction(const json& tx, const std::string& field) {
        Step step;
        if (tx.contains("to") && !tx["to"].is_null()) step.to = address(tx["to"].get<std::string>(), field + "/to");
        if (tx.contains("data")) step.data = bytes_spec(tx["data"], field + "/data");
        if (tx.contains("value")) step.value = number(tx["value"], field + "/value");
        if (tx.contains("gasLimit")) step.gas_limit = tx["gasLimit"].get<uint64_t>();
        const json expect = tx.value("expect", json::object());
        step.status = status(expect.value("status", std::string("success")), field + "/expect/status");
        if (expect.contains("output")) step.output = bytes_spec(expect["output"], field + "/expect/output");
        if (expect.contains("logs")) {
            std::vector<ExpectedLog> logs;
            for (const json& log : expect["logs"]) {
                ExpectedLog expected;
                expected.address = address(log.at("address").get<std::string>(), field + "/expect/logs");
                for (const json& topic : log.value("topics", json::array())) {
                    const bytes value = bytes_spec(topic, field + "/expect/logs/topics");
                    if (value.size() != 32) malformed(field + "/expect/logs/topics", "a topic is 32 bytes");
                    Hash32 hash;
                    std::copy(value.begin(), value.end(), hash.data());
                    expected.topics.push_back(hash);
                }
                if (log.contains("data")) expected.data = bytes_spec(log["data"], field + "/expect/logs/data");
                logs.push_back(std::move(expected));
            }
            step.logs = std::move(logs);
        }
        if (expect.contains("gasUsed")) {
            const json& gas = expect["gasUsed"];
            if (gas.is_number()) {
                step.gas_used = gas.get<int64_t>();
            } else {
                if (gas.contains("min")) step.gas_used_min = gas["min"].get<int64_t>();
                if (gas.contains("max")) step.gas_used_max = gas["max"].get<int64_t>();
            }
        }
        if (expect.contains("createdAddress")) {
            const json& created = expect["createdAddress"];
            step.created_address = created.is_null() ? std::optional<Address>{}
                                                     : std::optional<Address>{address(created.get<std::string>(), field + "/expect/createdAddress")};
        }
        return step;
    }

    static Status status(const std::string& name, const std::string& field) {
        for (int s = 0; s < 64; ++s)
            if (name == status_name(static_cast<Status>(s))) return static_cast<Status>(s);
        malformed(field, "unknown status \"" + name + "\"");
    }

    // "0x" and 40 hex digits, or a label.
    Address address(const std::string& text, const std::string& field) const {
        if (const auto found = labels_.find(text); found != labels_.end()) return found->second;
        if (const auto parsed = address_from_hex(text)) return *parsed;
        malformed(field, "\"" + text + "\" is neither an address nor a label");
    }

    Address address_spec(const json& spec, const std::string& field) {
        if (spec.is_string()) return address(spec.get<std::string>(), field);
        if (spec.contains("create")) {
            const json& c = spec["create"];
            return create_address(address(c.at("sender").get<std::string>(), field), c.at("nonce").get<uint64_t>());
        }
        if (spec.contains("create2")) {
            const json& c = spec["create2"];
            const bytes init_code = bytes_spec(c.at("initCode"), field + "/initCode");
            return create2_address(address(c.at("sender").get<std::string>(), field), number(c.at("salt"), field).to_hash(),
                                   init_code);
        }
        malformed(field, "an address, a label, {\"create\": ...} or {\"create2\": ...}");
    }

    // A JSON number, "0x" hex, a decimal string, or a label (the address as a number).
    uint256 number(const json& value, const std::string& field) const {
        if (value.is_number_unsigned()) return uint256{value.get<uint64_t>()};
        if (value.is_string()) {
            const std::string text = value.get<std::string>();
            if (const auto found = labels_.find(text); found != labels_.end()) return uint256::from_address(found->second);
            if (const auto parsed = uint256::from_string(text)) return *parsed;
        }
        malformed(field, "not a number: " + value.dump());
    }

    std::vector<std::pair<uint256, uint256>> storage(const json& slots, const std::string& field) const {
        std::vector<std::pair<uint256, uint256>> out;
        for (const auto& [key, value] : slots.items()) out.emplace_back(number(key, field), number(value, field + "/" + key));
        return out;
    }

    // The byte strings of the format: hex, built contracts, init code, ABI calls, words, hashes,
    // and lists of these, concatenated.
    bytes bytes_spec(const json& spec, const std::string& field) {
        if (spec.is_string()) {
            if (const auto parsed = from_hex(spec.get<std::string>())) return *parsed;
            malformed(field, "not hex: " + spec.dump());
        }
        if (spec.is_array()) {
            bytes out;
            for (const json& part : spec) {
                const bytes b = bytes_spec(part, field);
                out.insert(out.end(), b.begin(), b.end());
            }
            return out;
        }
        if (!spec.is_object() || spec.size() < 1) malformed(field, "not a byte string: " + spec.dump());
        if (spec.contains("wasm")) {
            const std::string name = spec["wasm"].get<std::string>();
            bytes code = wasm_contract(name);
            if (code.empty() && missing_contract_.empty()) missing_contract_ = name;
            return code;
        }
        if (spec.contains("deploy")) return stylus::init_code_returning(bytes_spec(spec["deploy"], field + "/deploy"));
        if (spec.contains("stylus")) return wasm::compress_stylus_program(bytes_spec(spec["stylus"], field + "/stylus"));
        if (spec.contains("abi")) {
            bytes out = selector(spec["abi"].get<std::string>().c_str());
            for (const json& arg : spec.value("args", json::array())) {
                const bytes w = word(number(arg, field + "/args"));
                out.insert(out.end(), w.begin(), w.end());
            }
            return out;
        }
        if (spec.contains("words")) {
            bytes out;
            for (const json& value : spec["words"]) {
                const bytes w = word(number(value, field + "/words"));
                out.insert(out.end(), w.begin(), w.end());
            }
            return out;
        }
        if (spec.contains("event")) {
            const Hash32 h = keccak256(std::string_view(spec["event"].get<std::string>()));
            return bytes(h.data(), h.data() + 32);
        }
        if (spec.contains("keccak")) {
            const Hash32 h = keccak256(bytes_view{bytes_spec(spec["keccak"], field + "/keccak")});
            return bytes(h.data(), h.data() + 32);
        }
        malformed(field, "unknown byte string " + spec.dump());
    }

    std::string& missing_contract_;
    std::map<std::string, Address, std::less<>> labels_;
};

}  // namespace

std::vector<DocumentSource> load_document_sources() {
    std::vector<std::filesystem::path> files;
    std::error_code error;  // no folder: no documents, which the documents' test reports
    for (const auto& entry : std::filesystem::directory_iterator(fixture_folder(), error))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<DocumentSource> sources;
    for (const auto& path : files) {
        std::ifstream in(path);
        const std::string file = path.filename().string();
        json parsed = json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            sources.push_back(DocumentSource{file + " (unreadable)", file, nullptr});
            continue;
        }
        for (auto& [name, doc] : parsed.items())
            sources.push_back(DocumentSource{name, file, std::make_shared<const json>(std::move(doc))});
    }
    return sources;
}

Document document_from_json(const DocumentSource& source, std::string& missing_contract) {
    if (!source.json) throw std::runtime_error(source.file + " is not a JSON object");
    DocumentReader reader(missing_contract);
    return reader.read(source.name, *source.json);
}

Document named_document(const std::string& name) {
    for (const DocumentSource& source : load_document_sources()) {
        if (source.name != name) continue;
        std::string missing;
        Document doc = document_from_json(source, missing);
        if (!missing.empty()) ADD_FAILURE() << name << ": the example contract " << missing << " was not built";
        return doc;
    }
    ADD_FAILURE() << "no document named " << name << " in " << fixture_folder();
    return {};
}

}  // namespace polyvm::stylus_test
