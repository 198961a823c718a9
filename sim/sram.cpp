#include "sim/sram.h"

#include <algorithm>
#include <numeric>

namespace qarray {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The counter of one kind of access, in a bank or in the buffer's totals (the same fields).
template <typename Counts>
int64_t& field(Counts& c, SramAccess access) {
  switch (access) {
    case SramAccess::Read: return c.reads;
    case SramAccess::Write: return c.writes;
    case SramAccess::Fill: return c.fill_writes;
    case SramAccess::Drain: return c.drain_reads;
  }
  return c.reads;
}

}  // namespace

void Sram::configure(const SramBuffer& b) {
  banks_ = b.banks;
  ports_ = b.ports;
  word_bits_ = int64_t{b.word_bytes} * 8;
  counters_ = BufferCounters{};
  counters_.banks.assign(static_cast<size_t>(banks_), BankCounters{});
}

int64_t Sram::row_words(int64_t operands, int32_t bits) const { return ceil_div(operands * bits, word_bits_); }

int64_t Sram::step_cycles(int64_t words) const { return ceil_div(words, int64_t{banks_} * ports_); }

int64_t Sram::gather_cycles(std::vector<int64_t>& words) const {
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::vector<int64_t> per_bank(static_cast<size_t>(banks_), 0);
  int64_t most = 0;
  for (int64_t a : words) most = std::max(most, ++per_bank[static_cast<size_t>(a % banks_)]);
  return ceil_div(most, ports_);
}

int64_t Sram::dma_cycles(int64_t words) const { return ceil_div(words, banks_); }

void Sram::count_word(SramAccess access, int64_t word_address, int64_t operands) {
  field(counters_.banks[static_cast<size_t>(word_address % banks_)], access) += operands;
  field(counters_, access) += operands;
}

void Sram::count_rows(SramAccess access, int64_t rows, int64_t operands, int32_t bits, int64_t first_word) {
  if (rows <= 0 || operands <= 0) return;
  const int64_t w = row_words(operands, bits);
  // Operands whose first bit lies in word q of a row: i in [ceil(q*W/b), ceil((q+1)*W/b)).
  std::vector<int64_t> in_word(static_cast<size_t>(w));
  for (int64_t q = 0; q < w; ++q)
    in_word[q] = std::min(operands, ceil_div((q + 1) * word_bits_, bits)) -
                 std::min(operands, ceil_div(q * word_bits_, bits));
  // Row j starts at word j*w: the bank pattern repeats every banks / gcd(w, banks) rows.
  const int64_t period = banks_ / std::gcd(w, int64_t{banks_});
  for (int64_t j = 0; j < std::min(rows, period); ++j) {
    const int64_t repeats = ceil_div(rows - j, period);
    for (int64_t q = 0; q < w; ++q)
      field(counters_.banks[static_cast<size_t>((first_word + j * w + q) % banks_)], access) += repeats * in_word[q];
  }
  field(counters_, access) += rows * operands;
}

void Sram::add_steps(int64_t steps, int64_t cycles_per_step) {
  if (steps <= 0) return;
  counters_.cycles.busy += steps;
  counters_.cycles.stall += steps * (std::max<int64_t>(cycles_per_step, 1) - 1);
}

}  // namespace qarray
