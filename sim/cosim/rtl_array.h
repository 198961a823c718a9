// The verilated rtl/systolic_array.v of one compiled variant, seen by the co-simulation
// testbench through plain lane arrays: the driver writes one cycle's inputs, toggles the clock
// and reads the outputs. VerilatedArray<V> adapts a Verilator --sc model V, whose port types
// depend on the widths (bool, uint32_t, uint64_t or sc_bv<N>), to this interface.
//
// Contract: lanes are packed as the Verilog buses, lane i = bits [i*bits +: bits]; west lanes
// are ROWS operands of WEST_BITS, north lanes COLS operands of NORTH_BITS (two's complement
// weights are passed as their low bits), out_sums COLS words of ACC_BITS (zero-extended).
#pragma once
#include <verilated_vcd_sc.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <systemc>
#include <vector>

namespace qarray {

class RtlArray {
 public:
  virtual ~RtlArray() = default;
  sc_core::sc_signal<bool> clk, rst, load, drain, in_valid;

  // One cycle's data inputs (rows / cols lanes); row_mask bit r marks an os row in use.
  virtual void set_data(const uint32_t* west, const uint32_t* north, uint32_t row_mask) = 0;
  virtual bool out_valid() const = 0;
  virtual void out_sums(uint32_t* sums) const = 0;  // cols words
  virtual void trace(VerilatedVcdSc* vcd) = 0;
};

// Bus packing between lane arrays and 32-bit words (bus bit b = word b / 32, bit b % 32).
inline void pack_lanes(const uint32_t* lanes, int n, int bits, std::vector<uint32_t>& words) {
  std::fill(words.begin(), words.end(), 0u);
  const uint64_t mask = bits >= 32 ? 0xffffffffull : (1ull << bits) - 1;
  for (int i = 0; i < n; ++i) {
    const uint64_t v = lanes[i] & mask;
    const int64_t b = int64_t{i} * bits;
    words[b / 32] |= static_cast<uint32_t>(v << (b % 32));
    if (b % 32 + bits > 32) words[b / 32 + 1] |= static_cast<uint32_t>(v >> (32 - b % 32));
  }
}

inline void unpack_lanes(const std::vector<uint32_t>& words, int n, int bits, uint32_t* lanes) {
  const uint64_t mask = bits >= 32 ? 0xffffffffull : (1ull << bits) - 1;
  for (int i = 0; i < n; ++i) {
    const int64_t b = int64_t{i} * bits;
    uint64_t v = words[b / 32] >> (b % 32);
    if (b % 32 + bits > 32) v |= uint64_t{words[b / 32 + 1]} << (32 - b % 32);
    lanes[i] = static_cast<uint32_t>(v & mask);
  }
}

// Verilator's SystemC port types <-> words.
inline void to_port(const std::vector<uint32_t>& w, bool& v) { v = w[0] & 1u; }
inline void to_port(const std::vector<uint32_t>& w, uint32_t& v) { v = w[0]; }
inline void to_port(const std::vector<uint32_t>& w, uint64_t& v) { v = w[0] | (w.size() > 1 ? uint64_t{w[1]} << 32 : 0); }
template <int N>
void to_port(const std::vector<uint32_t>& w, sc_dt::sc_bv<N>& v) {
  for (int i = 0; i < (N + 31) / 32; ++i) v.set_word(i, w[i]);
}
inline void from_port(bool v, std::vector<uint32_t>& w) { w[0] = v; }
inline void from_port(uint32_t v, std::vector<uint32_t>& w) { w[0] = v; }
inline void from_port(uint64_t v, std::vector<uint32_t>& w) {
  w[0] = static_cast<uint32_t>(v);
  if (w.size() > 1) w[1] = static_cast<uint32_t>(v >> 32);
}
template <int N>
void from_port(const sc_dt::sc_bv<N>& v, std::vector<uint32_t>& w) {
  for (int i = 0; i < (N + 31) / 32; ++i) w[i] = v.get_word(i);
}

template <typename V>
class VerilatedArray : public RtlArray {
  template <typename Port>
  using data_t = typename std::decay_t<Port>::data_type;
  using WestT = data_t<decltype(V::west_data)>;
  using NorthT = data_t<decltype(V::north_data)>;
  using MaskT = data_t<decltype(V::row_mask)>;
  using SumsT = data_t<decltype(V::out_sums)>;

 public:
  VerilatedArray(const char* name, int rows, int cols, int west_bits, int north_bits, int acc_bits)
      : rows_(rows), cols_(cols), west_bits_(west_bits), north_bits_(north_bits), acc_bits_(acc_bits),
        west_words_((rows * west_bits + 63) / 32), north_words_((cols * north_bits + 63) / 32),
        sum_words_((cols * acc_bits + 63) / 32), top_(std::make_unique<V>(name)) {
    // row_mask travels as one 32-bit word (ArrayCycleInputs::row_mask).
    if (rows > 32) throw std::invalid_argument("RTL variant with more than 32 rows: row_mask is 32 bits");
    top_->clk(clk);
    top_->rst(rst);
    top_->load(load);
    top_->drain(drain);
    top_->in_valid(in_valid);
    top_->row_mask(row_mask_);
    top_->west_data(west_);
    top_->north_data(north_);
    top_->out_valid(out_valid_);
    top_->out_sums(sums_);
  }

  void set_data(const uint32_t* west, const uint32_t* north, uint32_t row_mask) override {
    WestT w;
    NorthT n;
    MaskT m;
    pack_lanes(west, rows_, west_bits_, west_words_);
    to_port(west_words_, w);
    pack_lanes(north, cols_, north_bits_, north_words_);
    to_port(north_words_, n);
    std::vector<uint32_t> mask_word{row_mask, 0u};
    to_port(mask_word, m);
    west_.write(w);
    north_.write(n);
    row_mask_.write(m);
  }
  bool out_valid() const override { return out_valid_.read(); }
  void out_sums(uint32_t* sums) const override {
    from_port(sums_.read(), sum_words_);
    unpack_lanes(sum_words_, cols_, acc_bits_, sums);
  }
  void trace(VerilatedVcdSc* vcd) override { top_->trace(vcd, 99); }

 private:
  int rows_, cols_, west_bits_, north_bits_, acc_bits_;
  std::vector<uint32_t> west_words_, north_words_;
  mutable std::vector<uint32_t> sum_words_;
  std::unique_ptr<V> top_;
  sc_core::sc_signal<WestT> west_;
  sc_core::sc_signal<NorthT> north_;
  sc_core::sc_signal<MaskT> row_mask_;
  sc_core::sc_signal<bool> out_valid_;
  sc_core::sc_signal<SumsT> sums_;
};

}  // namespace qarray
