// Bit-field access to verilated ports for the RTL unit tests: Verilator maps a port to an
// unsigned integer (<= 64 bits) or to VlWide<N> (N 32-bit words), LSB first; a field of a packed
// multi-lane port is [lsb, lsb + width).
#pragma once
#include <cstdint>
#include <type_traits>

#include "verilated.h"

namespace qarray::rtl_test {

template <typename T>
void set_field(T& port, int lsb, int width, uint64_t v) {
  static_assert(std::is_unsigned_v<T>);
  const uint64_t mask = width >= 64 ? ~0ull : (1ull << width) - 1;
  uint64_t p = static_cast<uint64_t>(port);
  p = (p & ~(mask << lsb)) | ((v & mask) << lsb);
  port = static_cast<T>(p);
}
template <typename T>
uint64_t get_field(const T& port, int lsb, int width) {
  static_assert(std::is_unsigned_v<T>);
  const uint64_t mask = width >= 64 ? ~0ull : (1ull << width) - 1;
  return (static_cast<uint64_t>(port) >> lsb) & mask;
}

template <std::size_t N>
void set_field(VlWide<N>& port, int lsb, int width, uint64_t v) {
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    const uint32_t m = 1u << (bit % 32);
    port[bit / 32] = ((v >> b) & 1u) ? (port[bit / 32] | m) : (port[bit / 32] & ~m);
  }
}
template <std::size_t N>
uint64_t get_field(const VlWide<N>& port, int lsb, int width) {
  uint64_t v = 0;
  for (int b = 0; b < width; ++b) {
    const int bit = lsb + b;
    v |= static_cast<uint64_t>((port[bit / 32] >> (bit % 32)) & 1u) << b;
  }
  return v;
}

// Sign-extends the low `bits` bits of v.
inline int64_t sign_extend(uint64_t v, int bits) {
  const uint64_t m = 1ull << (bits - 1);
  v &= bits >= 64 ? ~0ull : (1ull << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

}  // namespace qarray::rtl_test
