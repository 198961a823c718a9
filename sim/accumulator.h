// The accumulator: the output buffer (sram.ofmap) seen as one acc_bits word per output of the
// current tile. The first K fold of a tile writes the array's sums; later folds read, add and
// write back (read-modify-write). Words are 32-bit wrapping; the acc_bits register is their low
// acc_bits bits, which is exact because wrap-around addition commutes with truncation. Its
// accesses are counted, per bank, by the ofmap Sram unit (the controller, per fold).
#pragma once
#include <cstdint>
#include <vector>

namespace qarray {

class Accumulator {
 public:
  // Cycles from the array delivering a row to the updated row leaving the accumulator (its
  // output register in rtl/accumulator.v); the controller's first_output_cycle counts it as the
  // "+ 1" before PostProcessing::kLatencyCycles.
  static constexpr int64_t kLatencyCycles = 1;

  // A fresh tile of p_len vectors x oc_len columns.
  void begin_tile(int64_t p_len, int64_t oc_len);
  // Adds the sums of vector p (one per column oc); `first` overwrites instead. Returns the
  // updated row of the tile.
  const uint32_t* accumulate(int64_t p, const uint32_t* sums, bool first);
  // Adds the sums of column oc (one per vector p), as the input-stationary array delivers them.
  void accumulate_column(int64_t oc, const uint32_t* sums, bool first);
  uint32_t word(int64_t p, int64_t oc) const { return words_[p * oc_len_ + oc]; }

 private:
  int64_t p_len_ = 0, oc_len_ = 0;
  std::vector<uint32_t> words_;
};

}  // namespace qarray
