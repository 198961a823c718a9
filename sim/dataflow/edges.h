// What enters and leaves the array's edges: the register state a dataflow advances one clock
// edge at a time in the SystemC model, the sink of the rows of sums it delivers, and the values
// the co-simulation drives onto the RTL array's ports (rtl/array_datapath.v) in one cycle.
#pragma once
#include <cstdint>
#include <vector>

namespace qarray {

// The array's registers, [rows][cols] row-major (SystolicArray owns them; a dataflow's step
// advances them). Sums are 32-bit wrapping registers; an acc_bits register is their low bits.
struct ArrayRegisters {
  int32_t rows = 0, cols = 0;
  std::vector<uint32_t> stat;    // stationary operands (ws: weights, is: inputs)
  std::vector<uint32_t> west;    // operands moving right
  std::vector<uint32_t> north;   // operands moving down (os: weights)
  std::vector<uint32_t> psum;    // partial sums (ws/is: moving down; os: stationary)
  std::vector<uint32_t> deskew;  // [cols][cols] ring of rows, slot i % cols

  void resize(int32_t r, int32_t c);
  void clear();  // every operand and sum register to zero (the de-skew ring keeps its slots)
};

// Receives the array's finished sums, relative to the fold's p0 / oc0.
class ArrayOutputSink {
 public:
  virtual ~ArrayOutputSink() = default;
  // RowKind::Vector (ws, os): the sums of vector p for columns oc in [0, oc_len).
  virtual void vector_row(int64_t p, const uint32_t* sums) = 0;
  // RowKind::Channel (is): the sums of weight column oc for vectors p in [0, p_len).
  virtual void channel_row(int64_t oc, const uint32_t* sums) = 0;
};

// The array ports of rtl/array_datapath.v in one cycle, as the controller drives them.
struct ArrayCycleInputs {
  bool load = false, drain = false, valid = false;
  int32_t rows_used = 0;        // os: row_mask holds rows r < rows_used
  std::vector<uint32_t> west;   // R lanes (signed weights as their two's-complement bits)
  std::vector<uint32_t> north;  // C lanes

  void idle();  // every port to zero / false
};

}  // namespace qarray
