// `polyvm t8n`: the command line of geth's state-transition tool (tools/t8n.hpp has the logic):
// where the inputs come from (files, or one JSON document on stdin), where the outputs go (files
// under --output.basedir, or stdout/stderr), per-transaction trace files, and geth's exit codes.
#include "common/hex.hpp"
#include "evm/tracer.hpp"
#include "tools/cli.hpp"
#include "tools/fixture_values.hpp"
#include "tools/t8n.hpp"
#include "tools/trace_adapter.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace polyvm::tools {
namespace {

namespace fs = std::filesystem;
using t8n::T8nError;
using json = nlohmann::json;

constexpr const char* kStdin = "stdin";

struct T8nArgs {
    std::string input_alloc = "alloc.json";
    std::string input_env = "env.json";
    std::string input_txs = "txs.json";
    std::string basedir;
    std::string output_result = "result.json";
    std::string output_alloc = "alloc.json";
    std::string output_body;
    std::string fork = "GrayGlacier";
    std::string chain_id = "1";
    int64_t reward = 0;
    bool trace = false;
    bool trace_memory = false;
};

std::string read_text_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw T8nError(t8n::kErrorIo, std::string("failed reading ") + what + " file: cannot open " + path);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw T8nError(t8n::kErrorIo, std::string("failed reading ") + what + " file " + path);
    return text.str();
}

json parse_json(const std::string& text, const std::string& where) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw T8nError(t8n::kErrorJson, "failed unmarshalling " + where + ": " + e.what());
    }
}

/// The member of stdin's combined document {"alloc", "env", "txs" | "txsRlp"}.
const json& stdin_member(const json& doc, const char* key) {
    static const json kNull;
    if (!doc.is_object()) throw T8nError(t8n::kErrorJson, "stdin: expected a JSON object {\"alloc\", \"env\", \"txs\"}");
    const auto it = doc.find(key);
    return it == doc.end() ? kNull : *it;
}

std::vector<t8n::TxEntry> read_transactions(const T8nArgs& args, const json& stdin_doc, const uint256& chain_id) {
    if (args.input_txs == kStdin) {
        // geth: a non-empty `txsRlp` takes precedence over `txs`.
        const json& rlp = stdin_member(stdin_doc, "txsRlp");
        if (rlp.is_string() && !rlp.get<std::string>().empty()) return t8n::read_rlp_transactions(rlp);
        const json& txs = stdin_member(stdin_doc, "txs");
        return t8n::read_json_transactions(txs.is_null() ? json::array() : txs, chain_id);
    }
    const json doc = parse_json(read_text_file(args.input_txs, "txs"), "txs file " + args.input_txs);
    // As geth: a `.rlp` file holds a JSON string of the hex RLP list (the --output.body format).
    if (args.input_txs.ends_with(".rlp")) return t8n::read_rlp_transactions(doc);
    return t8n::read_json_transactions(doc, chain_id);
}

t8n::Input read_input(const T8nArgs& args, const uint256& chain_id) {
    json stdin_doc;
    if (args.input_alloc == kStdin || args.input_env == kStdin || args.input_txs == kStdin) {
        std::ostringstream text;
        text << std::cin.rdbuf();
        stdin_doc = parse_json(text.str(), "stdin");
    }
    t8n::Input input;
    if (args.input_alloc == kStdin) {
        const json& alloc = stdin_member(stdin_doc, "alloc");
        input.alloc = t8n::read_alloc(alloc.is_null() ? json::object() : alloc);
    } else {
        input.alloc = t8n::read_alloc(parse_json(read_text_file(args.input_alloc, "alloc"), "alloc file " + args.input_alloc));
    }
    if (args.input_env == kStdin) {
        const json& env = stdin_member(stdin_doc, "env");
        if (env.is_null()) throw T8nError(t8n::kErrorJson, "stdin: missing \"env\"");
        input.env = t8n::read_env(env);
    } else {
        input.env = t8n::read_env(parse_json(read_text_file(args.input_env, "env"), "env file " + args.input_env));
    }
    input.transactions = read_transactions(args, stdin_doc, chain_id);
    return input;
}

/// One EIP-3155 trace file per traced transaction, "trace-<index>-<hash>.jsonl" in the base
/// folder as geth names them; the previous file is closed when the next one starts.
class TraceFiles {
public:
    TraceFiles(fs::path folder, bool with_memory) : folder_(std::move(folder)), with_memory_(with_memory) {}

    Tracer* open(size_t index, const Transaction& tx) {
        tracer_.reset();
        file_.reset();
        const fs::path path = folder_ / ("trace-" + std::to_string(index) + "-" + to_hex_prefixed(transaction_hash(tx)) + ".jsonl");
        file_ = std::make_unique<std::ofstream>(path);
        if (!*file_) throw T8nError(t8n::kErrorIo, "failed creating trace file " + path.string());
        tracer_ = make_eip3155_tracer(*file_, with_memory_);
        return tracer_.get();
    }

private:
    fs::path folder_;
    bool with_memory_;
    std::unique_ptr<std::ofstream> file_;
    std::shared_ptr<Tracer> tracer_;  // declared after the file: destroyed (and flushed) first
};

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text << "\n";
    out.close();
    if (!out) throw T8nError(t8n::kErrorIo, "failed writing output " + path.string());
}

/// Each output goes to a file under the base folder, into one JSON object on stdout or stderr
/// (keyed "alloc", "body", "result"), or nowhere when its name is empty.
void dispatch_outputs(const T8nArgs& args, const fs::path& basedir, const t8n::Output& out) {
    nlohmann::ordered_json to_stdout = nlohmann::ordered_json::object();
    nlohmann::ordered_json to_stderr = nlohmann::ordered_json::object();
    auto dispatch = [&](const std::string& target, const char* key, const nlohmann::ordered_json& value) {
        if (target.empty()) return;
        if (target == "stdout")
            to_stdout[key] = value;
        else if (target == "stderr")
            to_stderr[key] = value;
        else
            write_file(basedir / target, value.dump(1));  // geth indents its files by one space
    };
    // In geth's key order (its objects are maps, written sorted).
    dispatch(args.output_alloc, "alloc", out.alloc);
    dispatch(args.output_body, "body", to_hex_prefixed(out.body));
    dispatch(args.output_result, "result", out.result);
    if (!to_stdout.empty()) std::cout << to_stdout.dump(2) << "\n" << std::flush;
    if (!to_stderr.empty()) std::cerr << to_stderr.dump(2) << "\n" << std::flush;
}

int run_t8n(const T8nArgs& args) {
    try {
        const fs::path basedir = args.basedir;
        if (!basedir.empty()) {
            std::error_code ec;
            fs::create_directories(basedir, ec);
            if (ec) throw T8nError(t8n::kErrorIo, "failed creating output basedir " + basedir.string() + ": " + ec.message());
        }
        t8n::Options options;
        options.fork = args.fork;
        options.reward = args.reward;
        if (parse_number(args.chain_id, options.chain_id) != NumberStatus::Ok)
            throw T8nError(t8n::kErrorConfig, "--state.chainid: not a number below 2^256: \"" + args.chain_id + "\"");
        const t8n::Input input = read_input(args, options.chain_id);

        std::optional<TraceFiles> traces;
        if (args.trace) {
            traces.emplace(basedir.empty() ? fs::path(".") : basedir, args.trace_memory);
            options.tracer_for = [&](size_t index, const Transaction& tx) { return traces->open(index, tx); };
        }
        const t8n::Output out = t8n::transition(input, options);
        traces.reset();
        dispatch_outputs(args, basedir, out);
        return t8n::kExitOk;
    } catch (const T8nError& e) {
        std::cerr << "ERROR(" << e.exit_code() << "): " << e.what() << "\n";
        return e.exit_code();
    } catch (const std::exception& e) {
        // Anything else is a bug or an exhausted resource: geth's "other EVM error".
        std::cerr << "ERROR(" << t8n::kErrorEvm << "): " << e.what() << "\n";
        return t8n::kErrorEvm;
    }
}

}  // namespace

Command add_t8n_command(CLI::App& parent) {
    auto args = std::make_shared<T8nArgs>();
    CLI::App* cmd = parent.add_subcommand(
        "t8n", "State transition tool (geth's `evm t8n` interface): apply transactions to a pre-state as one block");
    cmd->footer(
        "Inputs: --input.alloc (pre-state), --input.env (block environment), --input.txs (JSON transactions,\n"
        "or, for a name ending in .rlp, a JSON string of the hex RLP list). The value `stdin` reads one JSON\n"
        "document {\"alloc\", \"env\", \"txs\" | \"txsRlp\"} from standard input.\n"
        "Outputs: --output.result, --output.alloc, --output.body are file names under --output.basedir, or\n"
        "`stdout`/`stderr` (one JSON object keyed alloc/body/result), or empty for none.\n"
        "Transactions that cannot be included are listed in result.rejected with the rule that refused them\n"
        "(execution-spec-tests' exception names). With --trace, trace-<index>-<txhash>.jsonl (EIP-3155) is\n"
        "written to the base folder for each executed transaction.\n"
        "--state.reward applies before the Merge only (coinbase, and ommers from env.ommers); -1 disables it.\n"
        "Exit status (geth's): 0 ok, 2 execution error, 3 bad fork or env, 4 BLOCKHASH of a block missing from\n"
        "env.blockHashes, 10 malformed JSON input, 11 file I/O error, 12 malformed RLP input.\n" +
        fork_names_help());
    cmd->add_option("--input.alloc", args->input_alloc, "Pre-state alloc file, or stdin")->capture_default_str();
    cmd->add_option("--input.env", args->input_env, "Block environment file, or stdin")->capture_default_str();
    cmd->add_option("--input.txs", args->input_txs, "Transactions file (.json or .rlp), or stdin")->capture_default_str();
    cmd->add_option("--output.basedir", args->basedir, "Folder for the output files (created if missing)");
    cmd->add_option("--output.result", args->output_result, "Result file, stdout or stderr")->capture_default_str();
    cmd->add_option("--output.alloc", args->output_alloc, "Post-state alloc file, stdout or stderr")->capture_default_str();
    cmd->add_option("--output.body", args->output_body, "RLP of the included transactions: file, stdout or stderr");
    cmd->add_option("--state.fork", args->fork, "Fork, e.g. Prague, BPO1, CancunToPragueAtTime15k")->capture_default_str();
    cmd->add_option("--state.chainid", args->chain_id, "Chain id")->capture_default_str();
    cmd->add_option("--state.reward", args->reward, "Block reward in wei before the Merge; -1 disables it")
        ->capture_default_str();
    cmd->add_flag("--trace", args->trace, "Write an EIP-3155 trace per transaction into the base folder");
    cmd->add_flag("--trace.memory", args->trace_memory, "Include memory in the traces");

    Command c;
    c.app = cmd;
    c.run = [args]() -> int { return run_t8n(*args); };
    return c;
}

}  // namespace polyvm::tools
