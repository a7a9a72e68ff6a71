#include "tools/trace_adapter.hpp"

#include "evm/tracer.hpp"

namespace polyvm::tools {

std::shared_ptr<Tracer> make_eip3155_tracer(std::ostream& out, bool with_memory) {
    return std::make_shared<Eip3155Tracer>(out, with_memory);
}

}  // namespace polyvm::tools
