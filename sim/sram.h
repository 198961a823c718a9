// One banked SRAM buffer of the accelerator (ifmap, weight, or ofmap = accumulator): `banks`
// banks of `word_bytes`-wide words, word-interleaved; each bank has `ports` array-side ports
// (the array's edge and the post-processing unit) and one DMA port of its own. The data itself
// lives in the operand matrices and the accumulator; this unit maps addresses to banks, counts
// every access per bank, and says how many cycles an access pattern needs from its ports.
//
// Contract (sim/README.md "SRAM banks and ports"):
//   Layout: a tile is a sequence of rows (what one edge step moves); every row starts on a word
//     boundary and packs its operands: a row of n operands of b bits takes
//     w = ceil(n*b / word_bits) words and operand i lies in its word floor(i*b / word_bits); row j
//     starts at word j*w of the tile. Word address a is in bank a mod banks.
//   Array side: each bank serves `ports` word accesses per cycle. A step that moves v consecutive
//     words takes ceil(v / (banks*ports)) cycles (0 for v = 0); a step moving any set of words
//     takes, over the banks, the largest ceil(words in the bank / ports).
//   DMA side: one word per bank per cycle: v consecutive words take ceil(v / banks) cycles.
//   Counts are operand accesses (one weight, activation or accumulator word): reads / writes by
//   the array or post-processing unit, fill_writes / drain_reads by the DMA; each operand counts
//   in the bank of the word holding its first bit. The banks' counts sum to the buffer's.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/arch_config.h"
#include "sim/counters.h"

namespace qarray {

enum class SramAccess { Read, Write, Fill, Drain };

class Sram {
 public:
  // Takes the buffer's organisation and clears the counters.
  void configure(const SramBuffer& buffer);

  int32_t banks() const { return banks_; }
  int64_t word_bits() const { return word_bits_; }
  // Words one row of `operands` operands of `bits` bits occupies.
  int64_t row_words(int64_t operands, int32_t bits) const;
  // Array-side cycles of a step moving `words` consecutive words.
  int64_t step_cycles(int64_t words) const;
  // Array-side cycles of a step moving these words (duplicates are one access; the vector is
  // reordered).
  int64_t gather_cycles(std::vector<int64_t>& word_addresses) const;
  // DMA-side cycles of `words` consecutive words.
  int64_t dma_cycles(int64_t words) const;

  // `rows` rows of a tile, `operands` operands of `bits` bits each, row 0 starting at
  // `first_word` (a tile starts at word 0).
  void count_rows(SramAccess access, int64_t rows, int64_t operands, int32_t bits, int64_t first_word = 0);
  // `operands` operands held in the word at `word_address`.
  void count_word(SramAccess access, int64_t word_address, int64_t operands = 1);
  // Array- / post-processing-side activity of this buffer: busy steps and the extra cycles its
  // ports needed in them (UnitCycles.idle is filled by the controller at the end of a layer).
  void add_steps(int64_t steps, int64_t cycles_per_step);

  const BufferCounters& counters() const { return counters_; }

 private:
  int32_t banks_ = 1, ports_ = 1;
  int64_t word_bits_ = 8;
  BufferCounters counters_;
};

}  // namespace qarray
