#include "trace/tracer_options.hpp"

#include <stdexcept>

namespace polyvm::trace {
namespace {
const nlohmann::json kEmptyObject = nlohmann::json::object();

const nlohmann::json* field(const nlohmann::json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}
}  // namespace

bool read_bool(const nlohmann::json& object, const char* key, const std::string& where) {
    const nlohmann::json* v = field(object, key);
    if (!v) return false;
    if (!v->is_boolean()) throw std::invalid_argument(where + key + " must be a boolean");
    return v->get<bool>();
}

uint64_t read_count(const nlohmann::json& object, const char* key, const std::string& where) {
    const nlohmann::json* v = field(object, key);
    if (!v) return 0;
    if (!v->is_number_integer() || (v->is_number_integer() && !v->is_number_unsigned() && v->get<int64_t>() < 0))
        throw std::invalid_argument(where + key + " must be a non-negative integer");
    return v->get<uint64_t>();
}

const nlohmann::json& require_object(const nlohmann::json& value, const std::string& name) {
    if (value.is_null()) return kEmptyObject;
    if (!value.is_object()) throw std::invalid_argument(name + " must be an object");
    return value;
}

}  // namespace polyvm::trace
