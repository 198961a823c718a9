// The checked JSON value reader (base/json_reader.h).
#include "base/json_reader.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/errors.h"

namespace qarray {
namespace {

using nlohmann::json;

constexpr size_t kExcerptChars = 32;

[[noreturn]] void out_of_range(const json& v, const std::string& file, const std::string& key,
                               const std::string& lo, const std::string& hi) {
  json_fail(file, key, json_excerpt(v) + " out of range [" + lo + ", " + hi + "]");
}

}  // namespace

void json_fail(const std::string& file, const std::string& key, const std::string& what) {
  throw InputError(file + ": " + key + ": " + what);
}

std::string json_excerpt(const json& v) {
  // replace: a string with invalid UTF-8 (never from the parser, which rejects it) must not throw.
  const std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() <= kExcerptChars ? s : s.substr(0, kExcerptChars - 3) + "...";
}

int64_t json_integer(const json& v, const std::string& file, const std::string& key, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) json_fail(file, key, "expected an integer, got " + json_excerpt(v));
  // The parser stores a non-negative integer as uint64_t: compare it as one, never convert a value
  // above INT64_MAX to int64_t.
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (hi >= 0 && u <= static_cast<uint64_t>(hi) && (lo <= 0 || u >= static_cast<uint64_t>(lo)))
      return static_cast<int64_t>(u);
  } else {
    const int64_t s = v.get<int64_t>();
    if (s >= lo && s <= hi) return s;
  }
  out_of_range(v, file, key, std::to_string(lo), std::to_string(hi));
}

uint64_t json_unsigned(const json& v, const std::string& file, const std::string& key) {
  if (!v.is_number_integer()) json_fail(file, key, "expected an integer, got " + json_excerpt(v));
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  const int64_t s = v.get<int64_t>();
  if (s >= 0) return static_cast<uint64_t>(s);
  out_of_range(v, file, key, "0", std::to_string(std::numeric_limits<uint64_t>::max()));
}

double json_number(const json& v, const std::string& file, const std::string& key) {
  if (!v.is_number()) json_fail(file, key, "expected a number, got " + json_excerpt(v));
  const double d = v.get<double>();
  // JSON text cannot hold inf or NaN (the parser refuses an overflowing literal), but a document
  // built in code can; its dump would say null, so name the value here.
  if (!std::isfinite(d))
    json_fail(file, key, std::string("expected a finite number, got ") + (std::isnan(d) ? "NaN" : d > 0 ? "inf" : "-inf"));
  return d;
}

bool json_boolean(const json& v, const std::string& file, const std::string& key) {
  if (!v.is_boolean()) json_fail(file, key, "expected true or false, got " + json_excerpt(v));
  return v.get<bool>();
}

std::string json_string(const json& v, const std::string& file, const std::string& key) {
  if (!v.is_string()) json_fail(file, key, "expected a string, got " + json_excerpt(v));
  return v.get<std::string>();
}

const json& json_list(const json& v, const std::string& file, const std::string& key) {
  if (!v.is_array()) json_fail(file, key, "expected a list, got " + json_excerpt(v));
  return v;
}

}  // namespace qarray
