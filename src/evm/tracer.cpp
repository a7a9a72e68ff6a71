#include "evm/tracer.hpp"

#include "common/hex.hpp"
#include "evm/opcodes.hpp"

#include <cstdio>
#include <ostream>
#include <string>

namespace polyvm {
namespace {
std::string hex_number(int64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string op_name(uint8_t op) {
    const std::string_view name = opcode_name(op);
    if (!name.empty()) return std::string(name);
    char buf[32];
    std::snprintf(buf, sizeof buf, "opcode 0x%x not defined", op);  // geth's wording
    return buf;
}
}  // namespace

void Eip3155Tracer::on_frame_start(const Message&, Revision, bytes_view) {}

void Eip3155Tracer::on_step(const TraceStep& s) {
    std::string line;
    line.reserve(128 + s.stack.size() * 24);
    line += "{\"pc\":" + std::to_string(s.pc);
    line += ",\"op\":" + std::to_string(s.opcode);
    line += ",\"gas\":\"" + hex_number(s.gas_left);
    line += "\",\"gasCost\":\"" + hex_number(s.gas_cost);
    line += "\",\"memSize\":" + std::to_string(s.memory.size());
    if (with_memory_) line += ",\"memory\":\"" + to_hex_prefixed(s.memory) + "\"";
    line += ",\"stack\":[";
    for (size_t i = 0; i < s.stack.size(); ++i) {
        if (i) line += ',';
        line += '"' + s.stack[i].to_hex() + '"';
    }
    line += "],\"depth\":" + std::to_string(s.depth + 1);
    line += ",\"refund\":" + std::to_string(s.refund);
    if (with_return_data_) line += ",\"returnData\":\"" + to_hex_prefixed(s.return_data) + "\"";
    line += ",\"opName\":\"" + op_name(s.opcode) + "\"}\n";
    out_ << line;
}

void Eip3155Tracer::on_frame_end(const Message& msg, const ExecutionResult& r) {
    if (msg.depth != 0) return;
    std::string line = "{\"output\":\"" + to_hex(r.output) + "\",\"gasUsed\":\"" + hex_number(msg.gas - r.gas_left) + "\"";
    if (r.status != Status::Success) line += std::string(",\"error\":\"") + status_name(r.status) + "\"";
    line += "}\n";
    out_ << line;
    out_.flush();
}

}  // namespace polyvm
