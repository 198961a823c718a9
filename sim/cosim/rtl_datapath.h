// The verilated rtl/array_datapath.v of one RTL variant (array -> accumulator -> post-processing)
// as the co-simulation testbench sees it: SystemC control signals plus plain lane arrays. The
// driver writes one cycle's inputs, toggles clk and reads the three stages' outputs.
// verilated_datapath.h implements it for a Verilator --sc model; this header needs no Verilator
// header, so the harness library is compiled once for every trace format.
//
// Contract: lanes are the Verilog buses' fields, lane i = bits [i*bits +: bits]: west ROWS
// operands, north COLS operands (two's-complement weights passed as their low bits), out_sums
// and acc_row COLS words of ACC_BITS, pp codes COLS words of OUT_BITS (all zero-extended).
// rows_used sets row_mask to the rows r < rows_used (output-stationary folds).
#pragma once
#include <cstdint>
#include <string>
#include <systemc>

namespace qarray {

class RtlDatapath {
 public:
  virtual ~RtlDatapath() = default;
  sc_core::sc_signal<bool> clk, rst, load, drain, in_valid, acc_first, acc_last;

  virtual void set_array_inputs(const uint32_t* west, const uint32_t* north, int32_t rows_used) = 0;
  virtual void set_acc_addr(uint32_t addr) = 0;
  // Per-lane bias', M0 and shift (COLS lanes) and the layer's output zero point and clamp.
  virtual void set_pp_params(const int32_t* bias, const int32_t* m0, const int32_t* shift, int32_t zero_point,
                             int32_t lo, int32_t hi) = 0;

  virtual bool out_valid() const = 0;
  virtual void out_sums(uint32_t* sums) const = 0;
  virtual bool acc_valid() const = 0;
  virtual void acc_row(uint32_t* words) const = 0;
  virtual bool pp_valid() const = 0;
  virtual void pp_codes(uint32_t* codes) const = 0;

  // The model's trace format, "vcd" or "fst" (Verilator builds one per model: --trace or
  // --trace-fst). open_trace dumps every signal of the model from now on (InputError if the
  // file cannot be written); close_trace flushes and closes it.
  virtual const char* trace_format() const = 0;
  virtual void open_trace(const std::string& path) = 0;
  virtual void close_trace() = 0;
};

}  // namespace qarray
