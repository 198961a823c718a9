// RtlDatapath (rtl_datapath.h) for one Verilator --sc model V of rtl/array_datapath.v, traced
// by Trace (VerilatedVcdSc for a model verilated with --trace, VerilatedFstSc for --trace-fst).
// V's port types depend on the widths (bool, uint32_t, uint64_t or sc_bv<N>); the lanes are
// packed into 32-bit words and converted. Included only by the generated variant tables
// (cosim_variants.cpp.in), which include the trace header of their format first: Verilator
// 5.006's verilated_fst_sc.h and verilated_vcd_sc.h share one include guard, so a translation
// unit can hold only one of them.
#pragma once
#include <verilated.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "base/errors.h"
#include "sim/cosim/rtl_datapath.h"

namespace qarray {

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

// One packed input or output bus of the model: its signal and its word buffer (one spare word,
// so a lane may straddle the last word boundary).
template <typename T>
struct Bus {
  explicit Bus(int64_t bits) : words((bits + 63) / 32) {}
  sc_core::sc_signal<T> signal;
  mutable std::vector<uint32_t> words;

  void write(const uint32_t* lanes, int n, int bits) {
    pack_lanes(lanes, n, bits, words);
    T v;
    to_port(words, v);
    signal.write(v);
  }
  void read(uint32_t* lanes, int n, int bits) const {
    from_port(signal.read(), words);
    unpack_lanes(words, n, bits, lanes);
  }
};

template <typename V, typename Trace>
class VerilatedDatapath : public RtlDatapath {
  template <typename Port>
  using data_t = typename std::decay_t<Port>::data_type;

 public:
  VerilatedDatapath(const char* name, const char* trace_format, int rows, int cols, int west_bits, int north_bits,
                    int acc_bits, int out_bits, int addr_bits)
      : format_(trace_format), rows_(rows), cols_(cols), west_bits_(west_bits), north_bits_(north_bits),
        acc_bits_(acc_bits), out_bits_(out_bits), addr_bits_(addr_bits), mask_(rows), west_(int64_t{rows} * west_bits),
        north_(int64_t{cols} * north_bits), sums_(int64_t{cols} * acc_bits), acc_(int64_t{cols} * acc_bits),
        addr_(addr_bits), bias_(int64_t{cols} * 32), m0_(int64_t{cols} * 32), shift_(int64_t{cols} * 6),
        q_(int64_t{cols} * out_bits), mask_lanes_(rows, 0u) {
    Verilated::traceEverOn(true);  // before the model exists, so open_trace works later
    top_ = std::make_unique<V>(name);
    top_->clk(clk);
    top_->rst(rst);
    top_->load(load);
    top_->drain(drain);
    top_->in_valid(in_valid);
    top_->row_mask(mask_.signal);
    top_->west_data(west_.signal);
    top_->north_data(north_.signal);
    top_->out_valid(out_valid_);
    top_->out_sums(sums_.signal);
    top_->acc_first(acc_first);
    top_->acc_last(acc_last);
    top_->acc_addr(addr_.signal);
    top_->acc_valid(acc_valid_);
    top_->acc_row(acc_.signal);
    top_->pp_bias(bias_.signal);
    top_->pp_m0(m0_.signal);
    top_->pp_shift(shift_.signal);
    top_->pp_zero_point(zero_point_);
    top_->pp_clamp_lo(lo_);
    top_->pp_clamp_hi(hi_);
    top_->pp_valid(pp_valid_);
    top_->pp_q(q_.signal);
  }

  void set_array_inputs(const uint32_t* west, const uint32_t* north, int32_t rows_used) override {
    west_.write(west, rows_, west_bits_);
    north_.write(north, cols_, north_bits_);
    if (rows_used != rows_used_) {
      rows_used_ = rows_used;
      for (int r = 0; r < rows_; ++r) mask_lanes_[r] = r < rows_used ? 1u : 0u;
      mask_.write(mask_lanes_.data(), rows_, 1);
    }
  }
  void set_acc_addr(uint32_t addr) override { addr_.write(&addr, 1, addr_bits_); }
  void set_pp_params(const int32_t* bias, const int32_t* m0, const int32_t* shift, int32_t zero_point, int32_t lo,
                     int32_t hi) override {
    bias_.write(reinterpret_cast<const uint32_t*>(bias), cols_, 32);
    m0_.write(reinterpret_cast<const uint32_t*>(m0), cols_, 32);
    shift_.write(reinterpret_cast<const uint32_t*>(shift), cols_, 6);
    zero_point_.write(static_cast<uint32_t>(zero_point));
    lo_.write(static_cast<uint32_t>(lo));
    hi_.write(static_cast<uint32_t>(hi));
  }

  bool out_valid() const override { return out_valid_.read(); }
  void out_sums(uint32_t* sums) const override { sums_.read(sums, cols_, acc_bits_); }
  bool acc_valid() const override { return acc_valid_.read(); }
  void acc_row(uint32_t* words) const override { acc_.read(words, cols_, acc_bits_); }
  bool pp_valid() const override { return pp_valid_.read(); }
  void pp_codes(uint32_t* codes) const override { q_.read(codes, cols_, out_bits_); }

  const char* trace_format() const override { return format_; }
  void open_trace(const std::string& path) override {
    // Registered with the kernel's list of trace files: closed, never freed.
    trace_ = new Trace();
    top_->trace(trace_, 99);
    trace_->open(path.c_str());
    if (!trace_->isOpen()) throw InputError(path + ": cannot write the trace");
  }
  void close_trace() override {
    if (trace_) trace_->close();
    trace_ = nullptr;
  }

 private:
  const char* format_;
  int rows_, cols_, west_bits_, north_bits_, acc_bits_, out_bits_, addr_bits_;
  int32_t rows_used_ = -1;
  Bus<data_t<decltype(V::row_mask)>> mask_;
  Bus<data_t<decltype(V::west_data)>> west_;
  Bus<data_t<decltype(V::north_data)>> north_;
  Bus<data_t<decltype(V::out_sums)>> sums_;
  Bus<data_t<decltype(V::acc_row)>> acc_;
  Bus<data_t<decltype(V::acc_addr)>> addr_;
  Bus<data_t<decltype(V::pp_bias)>> bias_;
  Bus<data_t<decltype(V::pp_m0)>> m0_;
  Bus<data_t<decltype(V::pp_shift)>> shift_;
  Bus<data_t<decltype(V::pp_q)>> q_;
  sc_core::sc_signal<bool> out_valid_, acc_valid_, pp_valid_;
  sc_core::sc_signal<uint32_t> zero_point_, lo_, hi_;
  std::vector<uint32_t> mask_lanes_;
  std::unique_ptr<V> top_;
  Trace* trace_ = nullptr;
};

}  // namespace qarray
