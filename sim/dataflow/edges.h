// What enters and leaves the array's edges: the register state a dataflow advances one clock
// edge at a time in the SystemC model, the sink of the rows of sums it delivers, and the values
// the co-simulation drives onto the RTL array's ports (rtl/array_datapath.v) in one cycle.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace qarray {

// Allocates on 64-byte (cache-line) boundaries: the array's register rows are read and written
// with full-width vector instructions every cycle, and a row that straddles two cache lines
// costs the cycle model measurably (malloc's 16-byte alignment leaves that to chance).
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, std::align_val_t{64}); }
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
  friend bool operator!=(const CacheLineAllocator&, const CacheLineAllocator&) { return false; }
};
using RegisterArray = std::vector<uint32_t, CacheLineAllocator<uint32_t>>;

// The array's registers, [rows][cols] row-major (SystolicArray owns them; a dataflow's step
// advances them). Sums are 32-bit wrapping registers; an acc_bits register is their low bits.
struct ArrayRegisters {
  int32_t rows = 0, cols = 0;
  RegisterArray stat;    // stationary operands (ws: weights, is: inputs)
  RegisterArray west;    // operands moving right
  RegisterArray north;   // operands moving down (os: weights)
  RegisterArray psum;    // partial sums (ws/is: moving down; os: stationary)
  RegisterArray deskew;  // [cols][cols] ring of rows, slot i % cols

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
