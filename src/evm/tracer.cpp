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

std::string op_name(uint8_t op, Revision rev) {
    if (op == 0x44 && rev < Revision::Paris) return "DIFFICULTY";  // PREVRANDAO from the Merge (EIP-4399)
    const std::string_view name = opcode_name(op);
    if (!name.empty()) return std::string(name);
    char buf[32];
    std::snprintf(buf, sizeof buf, "opcode 0x%x not defined", op);  // geth's wording
    return buf;
}
}  // namespace

Eip3155Tracer::PendingLine& Eip3155Tracer::pending_at(int32_t depth) {
    const size_t i = depth < 0 ? 0 : static_cast<size_t>(depth);
    if (pending_.size() <= i) pending_.resize(i + 1);
    return pending_[i];
}

void Eip3155Tracer::flush(PendingLine& p, int64_t cost) {
    if (!p.present) return;
    out_ << p.head << hex_number(cost) << p.tail;
    p.present = false;
}

void Eip3155Tracer::on_frame_start(const Message& msg, Revision rev, bytes_view) {
    revision_ = rev;
    // The parent's CALL/CREATE line must precede the child's lines: write it now, base cost.
    if (msg.depth > 0) {
        PendingLine& parent = pending_at(msg.depth - 1);
        flush(parent, parent.base_cost);
    }
}

void Eip3155Tracer::on_step(const TraceStep& s) {
    PendingLine& previous = pending_at(s.depth);
    if (previous.present) {
        const int64_t cost = previous.gas_left - s.gas_left;
        flush(previous, cost >= 0 ? cost : previous.base_cost);
    }
    std::string line;
    line.reserve(128 + s.stack.size() * 24);
    line += "{\"pc\":" + std::to_string(s.pc);
    line += ",\"op\":" + std::to_string(s.opcode);
    line += ",\"gas\":\"" + hex_number(s.gas_left);
    line += "\",\"gasCost\":\"";
    PendingLine& next = pending_at(s.depth);
    next.head = std::move(line);
    next.gas_left = s.gas_left;
    next.base_cost = s.gas_cost;
    line.clear();
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
    const std::string name = s.vm == TraceVm::Evm ? op_name(s.opcode, revision_) : std::string(s.op_name);
    line += ",\"opName\":\"" + name + "\"}\n";
    next.tail = std::move(line);
    next.present = true;
}

void Eip3155Tracer::on_frame_end(const Message& msg, const ExecutionResult& r) {
    // The frame's last instruction (STOP, RETURN, REVERT, ...) costs what the frame had left
    // before it minus what it returns; an exceptional halt is shown with the base cost.
    PendingLine& last = pending_at(msg.depth);
    if (last.present) {
        const bool normal = r.status == Status::Success || r.status == Status::Revert;
        const int64_t cost = last.gas_left - r.gas_left;
        flush(last, normal && cost >= 0 ? cost : last.base_cost);
    }
    if (msg.depth != 0) return;
    std::string line = "{\"output\":\"" + to_hex(r.output) + "\",\"gasUsed\":\"" + hex_number(msg.gas - r.gas_left) + "\"";
    if (r.status != Status::Success) line += std::string(",\"error\":\"") + status_name(r.status) + "\"";
    line += "}\n";
    out_ << line;
    out_.flush();
}

}  // namespace polyvm
