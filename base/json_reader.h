// The checked reader of JSON values that every JSON loader uses (architecture files, workload
// descriptors, sweep grids): one place that decides what a number of a given C++ type may be,
// and one message style for what it may not.
//
// Contract:
//   - An integer key takes only a JSON integer: not a float (2.0, 32.5), not an integer too long
//     for 64 bits (the parser stores those as floats), not "3", true or null.
//   - The integer must lie in the target type's range, or in an explicit [lo, hi]; the check
//     never converts a value that does not fit (no wrap-around, no undefined behaviour): an
//     unsigned value above INT64_MAX, or a negative one for an unsigned type, is out of range.
//   - A number key takes any finite JSON number (integers included).
//   - Every refusal is an InputError "<file>: <key>: <what>", <what> being one of
//       expected an integer, got <value>        <value> out of range [<lo>, <hi>]
//       expected a number, got <value>          expected true or false, got <value>
//       expected a string, got <value>          expected a list, got <value>
//     where <value> is the JSON text of the value, cut to 32 characters (json_excerpt()).
#pragma once
#include <cstdint>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <type_traits>

namespace qarray {

// The JSON integer `v` if it lies in [lo, hi].
int64_t json_integer(const nlohmann::json& v, const std::string& file, const std::string& key, int64_t lo,
                     int64_t hi);
// The JSON integer `v` if it is not negative (any uint64_t).
uint64_t json_unsigned(const nlohmann::json& v, const std::string& file, const std::string& key);

// The JSON integer `v` if it fits T (any integer type but bool).
template <typename T>
T json_integer(const nlohmann::json& v, const std::string& file, const std::string& key) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "json_integer reads integer types");
  static_assert(sizeof(T) <= sizeof(int64_t), "json_integer reads at most 64-bit integers");
  using Limits = std::numeric_limits<T>;
  if constexpr (std::is_unsigned_v<T> && sizeof(T) == sizeof(uint64_t)) {
    return static_cast<T>(json_unsigned(v, file, key));
  } else {
    return static_cast<T>(json_integer(v, file, key, static_cast<int64_t>(Limits::min()),
                                       static_cast<int64_t>(Limits::max())));
  }
}

// The finite JSON number `v` (an integer or a float) as a double.
double json_number(const nlohmann::json& v, const std::string& file, const std::string& key);

// The JSON boolean `v`.
bool json_boolean(const nlohmann::json& v, const std::string& file, const std::string& key);
// The JSON string `v`.
std::string json_string(const nlohmann::json& v, const std::string& file, const std::string& key);
// `v` itself if it is a JSON array.
const nlohmann::json& json_list(const nlohmann::json& v, const std::string& file, const std::string& key);

// The JSON text of `v` for a message, cut to 32 characters (the last three "...").
std::string json_excerpt(const nlohmann::json& v);

// Throws InputError "<file>: <key>: <what>".
[[noreturn]] void json_fail(const std::string& file, const std::string& key, const std::string& what);

}  // namespace qarray
