// base/json_reader.h, the checked reader of numbers (and booleans, strings, lists) behind every
// JSON loader: an integer key takes only a JSON integer within its type or [lo, hi], compared
// without conversion (no wrap-around above INT64_MAX, no negative into unsigned), a number key
// any finite number, and every refusal is one message "<file>: <key>: <what>".
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "base/errors.h"
#include "base/format.h"
#include "base/json_reader.h"

namespace qarray {
namespace {

using nlohmann::json;

// The value of `text` as the parser stores it (a non-negative integer unsigned, a too-long
// integer as a float, ...).
json parsed(const std::string& text) { return json::parse(text); }

// The message of the InputError `f` throws, "" (a test failure) if none.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

template <typename T>
std::string integer_error(const std::string& text) {
  return error_of([&] { json_integer<T>(parsed(text), "f.json", "k"); });
}
std::string range_error(const std::string& text, int64_t lo, int64_t hi) {
  return error_of([&] { json_integer(parsed(text), "f.json", "k", lo, hi); });
}

const std::string kInt64Range = "[-9223372036854775808, 9223372036854775807]";
const std::string kInt32Range = "[-2147483648, 2147483647]";
const std::string kUint64Range = "[0, 18446744073709551615]";

TEST(JsonReader, Int64TakesEveryInt64AndNothingBeyond) {
  EXPECT_EQ(json_integer<int64_t>(parsed("9223372036854775807"), "f", "k"), INT64_MAX);
  EXPECT_EQ(json_integer<int64_t>(parsed("-9223372036854775808"), "f", "k"), INT64_MIN);
  EXPECT_EQ(integer_error<int64_t>("9223372036854775808"), "f.json: k: 9223372036854775808 out of range " + kInt64Range);
  EXPECT_EQ(integer_error<int64_t>("18446744073709551615"),
            "f.json: k: 18446744073709551615 out of range " + kInt64Range);
  // Below INT64_MIN the parser keeps only a float: not an integer any more.
  EXPECT_EQ(integer_error<int64_t>("-9223372036854775809"), "f.json: k: expected an integer, got -9.223372036854776e+18");
}

TEST(JsonReader, Uint64TakesEveryUint64AndNoNegative) {
  EXPECT_EQ(json_integer<uint64_t>(parsed("18446744073709551615"), "f", "k"), UINT64_MAX);
  EXPECT_EQ(json_integer<uint64_t>(parsed("0"), "f", "k"), 0u);
  EXPECT_EQ(json_integer<uint64_t>(json(int64_t{5}), "f", "k"), 5u);  // built in code: stored signed
  EXPECT_EQ(integer_error<uint64_t>("-1"), "f.json: k: -1 out of range " + kUint64Range);
  EXPECT_EQ(error_of([] { json_integer<uint64_t>(json(int64_t{-7}), "f.json", "k"); }),
            "f.json: k: -7 out of range " + kUint64Range);
  EXPECT_EQ(integer_error<uint64_t>("18446744073709551616"), "f.json: k: expected an integer, got 1.8446744073709552e+19");
}

TEST(JsonReader, NarrowTypesAreCheckedAgainstTheirOwnRange) {
  EXPECT_EQ(json_integer<int32_t>(parsed("2147483647"), "f", "k"), INT32_MAX);
  EXPECT_EQ(json_integer<int32_t>(parsed("-2147483648"), "f", "k"), INT32_MIN);
  EXPECT_EQ(integer_error<int32_t>("4294967328"), "f.json: k: 4294967328 out of range " + kInt32Range);
  EXPECT_EQ(integer_error<int32_t>("-2147483649"), "f.json: k: -2147483649 out of range " + kInt32Range);
  EXPECT_EQ(integer_error<int32_t>("18446744073709551615"), "f.json: k: 18446744073709551615 out of range " + kInt32Range);
  EXPECT_EQ(json_integer<uint8_t>(parsed("255"), "f", "k"), 255);
  EXPECT_EQ(integer_error<uint8_t>("256"), "f.json: k: 256 out of range [0, 255]");
  EXPECT_EQ(integer_error<uint8_t>("-1"), "f.json: k: -1 out of range [0, 255]");
  EXPECT_EQ(json_integer<int8_t>(parsed("-128"), "f", "k"), -128);
  EXPECT_EQ(integer_error<int8_t>("-129"), "f.json: k: -129 out of range [-128, 127]");
  EXPECT_EQ(json_integer<uint32_t>(parsed("4294967295"), "f", "k"), UINT32_MAX);
  EXPECT_EQ(integer_error<uint32_t>("4294967296"), "f.json: k: 4294967296 out of range [0, 4294967295]");
}

TEST(JsonReader, ExplicitBoundsAreInclusive) {
  EXPECT_EQ(json_integer(parsed("2"), "f", "k", 2, 16), 2);
  EXPECT_EQ(json_integer(parsed("16"), "f", "k", 2, 16), 16);
  EXPECT_EQ(range_error("1", 2, 16), "f.json: k: 1 out of range [2, 16]");
  EXPECT_EQ(range_error("17", 2, 16), "f.json: k: 17 out of range [2, 16]");
  EXPECT_EQ(range_error("-1", 1, 256), "f.json: k: -1 out of range [1, 256]");
  EXPECT_EQ(range_error("18446744073709551615", 0, 1 << 30), "f.json: k: 18446744073709551615 out of range [0, 1073741824]");
  // An all-negative range: a non-negative value (stored unsigned) is outside it.
  EXPECT_EQ(json_integer(parsed("-5"), "f", "k", -5, -1), -5);
  EXPECT_EQ(json_integer(parsed("-1"), "f", "k", -5, -1), -1);
  EXPECT_EQ(range_error("0", -5, -1), "f.json: k: 0 out of range [-5, -1]");
  EXPECT_EQ(range_error("-6", -5, -1), "f.json: k: -6 out of range [-5, -1]");
}

TEST(JsonReader, OnlyJsonIntegersAreIntegers) {
  EXPECT_EQ(json_integer<int32_t>(parsed("-0"), "f", "k"), 0);  // the integer -0 is 0
  EXPECT_EQ(json_integer<uint64_t>(parsed("-0"), "f", "k"), 0u);
  EXPECT_EQ(integer_error<int32_t>("-0.0"), "f.json: k: expected an integer, got -0.0");
  EXPECT_EQ(integer_error<int32_t>("2.0"), "f.json: k: expected an integer, got 2.0");
  EXPECT_EQ(integer_error<int32_t>("32.5"), "f.json: k: expected an integer, got 32.5");
  EXPECT_EQ(integer_error<int64_t>("1e300"), "f.json: k: expected an integer, got 1e+300");
  EXPECT_EQ(integer_error<int64_t>(std::string(82, '7')), "f.json: k: expected an integer, got 7.777777777777777e+81");
  EXPECT_EQ(integer_error<int32_t>("true"), "f.json: k: expected an integer, got true");
  EXPECT_EQ(integer_error<int32_t>("\"3\""), "f.json: k: expected an integer, got \"3\"");
  EXPECT_EQ(integer_error<int32_t>("null"), "f.json: k: expected an integer, got null");
  EXPECT_EQ(integer_error<int32_t>("[1]"), "f.json: k: expected an integer, got [1]");
  EXPECT_EQ(range_error("2.0", 0, 10), "f.json: k: expected an integer, got 2.0");
}

TEST(JsonReader, NumbersAreAnyFiniteJsonNumber) {
  EXPECT_EQ(json_number(parsed("1e300"), "f", "k"), 1e300);
  EXPECT_EQ(json_number(parsed("2"), "f", "k"), 2.0);
  EXPECT_EQ(json_number(parsed("-3"), "f", "k"), -3.0);
  EXPECT_EQ(json_number(parsed("18446744073709551615"), "f", "k"), 18446744073709551615.0);
  EXPECT_EQ(json_number(parsed(std::string(82, '7')), "f", "k"), 7.777777777777777e+81);
  const double minus_zero = json_number(parsed("-0.0"), "f", "k");
  EXPECT_EQ(minus_zero, 0.0);
  EXPECT_TRUE(std::signbit(minus_zero));
  EXPECT_EQ(error_of([] { json_number(parsed("\"3\""), "f.json", "k"); }), "f.json: k: expected a number, got \"3\"");
  EXPECT_EQ(error_of([] { json_number(parsed("true"), "f.json", "k"); }), "f.json: k: expected a number, got true");
  EXPECT_EQ(error_of([] { json_number(parsed("null"), "f.json", "k"); }), "f.json: k: expected a number, got null");
  // JSON text cannot hold them, a document built in code can.
  EXPECT_EQ(error_of([] { json_number(json(std::numeric_limits<double>::infinity()), "f.json", "k"); }),
            "f.json: k: expected a finite number, got inf");
  EXPECT_EQ(error_of([] { json_number(json(-std::numeric_limits<double>::infinity()), "f.json", "k"); }),
            "f.json: k: expected a finite number, got -inf");
  EXPECT_EQ(error_of([] { json_number(json(std::nan("")), "f.json", "k"); }),
            "f.json: k: expected a finite number, got NaN");
}

TEST(JsonReader, BooleansStringsAndListsHaveTheirOwnType) {
  EXPECT_TRUE(json_boolean(parsed("true"), "f", "k"));
  EXPECT_EQ(error_of([] { json_boolean(parsed("1"), "f.json", "k"); }), "f.json: k: expected true or false, got 1");
  EXPECT_EQ(json_string(parsed("\"ws\""), "f", "k"), "ws");
  EXPECT_EQ(error_of([] { json_string(parsed("5"), "f.json", "k"); }), "f.json: k: expected a string, got 5");
  EXPECT_EQ(json_list(parsed("[1, 2]"), "f", "k").size(), 2u);
  EXPECT_EQ(error_of([] { json_list(parsed("{\"a\": 1}"), "f.json", "k"); }),
            "f.json: k: expected a list, got {\"a\":1}");
}

TEST(JsonReader, LongValuesAreCutInMessages) {
  const std::string long_text = "\"" + std::string(100, 'x') + "\"";
  EXPECT_EQ(integer_error<int32_t>(long_text), "f.json: k: expected an integer, got \"" + std::string(28, 'x') + "...");
  EXPECT_EQ(json_excerpt(parsed(long_text)).size(), 32u);
  EXPECT_EQ(json_excerpt(parsed("[1,2,3]")), "[1,2,3]");
}

// base/format.h: the shortest text that reads back exactly, the one double format of every table.
TEST(ShortestText, ReadsBackExactly) {
  EXPECT_EQ(shortest_text(0.0), "0");
  EXPECT_EQ(shortest_text(0.5), "0.5");
  EXPECT_EQ(shortest_text(123.0), "123");
  EXPECT_EQ(shortest_text(1e-7), "1e-07");
  EXPECT_EQ(shortest_text(0.1 + 0.2), "0.30000000000000004");
  for (double v : {1.0 / 3.0, 2.0 / 3.0, 1e300, -2.2250738585072014e-308, 6.02214076e23})
    EXPECT_EQ(std::stod(shortest_text(v)), v) << shortest_text(v);
  EXPECT_EQ(one_line("a\nb\rc"), "a b c");
}

}  // namespace
}  // namespace qarray
