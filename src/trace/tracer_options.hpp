// Reading debug_trace*'s config object: typed fields with errors that name the field.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace polyvm::trace {

/// `object[key]` as a boolean; absent or null -> false. `where` prefixes the field's name in
/// the error ("tracerConfig.").
bool read_bool(const nlohmann::json& object, const char* key, const std::string& where = "");
/// `object[key]` as a non-negative integer; absent or null -> 0.
uint64_t read_count(const nlohmann::json& object, const char* key, const std::string& where = "");
/// The object itself must be an object or null (null/absent -> an empty object).
const nlohmann::json& require_object(const nlohmann::json& value, const std::string& name);

}  // namespace polyvm::trace
