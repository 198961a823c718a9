// One dataflow of the systolic array, behind one interface: everything that differs between
// weight-, input- and output-stationary lives in its unit (ws.cpp, is.cpp, os.cpp), and the
// array, the controller, the co-simulation and the energy model ask the unit instead of
// branching on the dataflow. Adding a dataflow is one new unit file plus its line in
// registry.cpp (and its enum value and name in dataflow.h).
//
// What a unit owns:
//   tiling      the fold plan of a pass (which buffer bounds which tile side), the depthwise
//               channel group, the tile order;
//   SRAM layout the fold's tiles as rows of edge steps, and which tile's port timing stalls
//               which phase of the fold;
//   timing      the fold's phases (FoldSchedule): preload, stream, operand feed, delivered rows,
//               drain; the row delivered in each cycle;
//   edges       the SystemC array's preload and one clock edge of the stream;
//   RTL         the stimulus the co-simulation drives onto rtl/array_datapath.v each cycle and
//               the operand widths of its west and north edges;
//   energy      the PE register activity the energy model prices.
//
// Contract (R x C physical PEs; every unit): schedule().cycles() is the fold's length in the
// SystemC model and in the RTL alike; rtl_inputs() of cycles [0, cycles()) makes the RTL array
// compute the fold the SystemC step() computes, delivering row output_row(n) at the end of cycle
// n; the timing of a fold depends only on its shape, never on the values.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/arch_config.h"
#include "sim/counters.h"
#include "sim/dataflow/dataflow.h"
#include "sim/dataflow/edges.h"
#include "sim/dataflow/fold.h"

namespace qarray {

// What one row of sums leaving the array holds: one input vector over the tile's output channels
// (lanes = oc_len), or one output channel (weight column) over the tile's vectors (lanes = p_len).
enum class RowKind { Vector, Channel };

// Pipeline-register writes in the PEs during a layer, by what the registers hold; energy/ prices
// them at the operand and accumulator widths.
struct RegisterActivity {
  int64_t act_writes = 0, weight_writes = 0, acc_writes = 0;
};

class DataflowUnit {
 public:
  virtual ~DataflowUnit() = default;
  virtual Dataflow id() const = 0;
  const char* name() const { return dataflow_name(id()); }

  // --- Tiling ---
  // The plan of a K x OC x P pass; InputError naming the buffer and its minimum size when not
  // even one tile fits (slices_that_fit).
  virtual FoldPlan plan(int64_t k, int64_t oc, int64_t p, const ArchConfig& arch) const = 0;
  // Depthwise channels packed per pass (block-diagonal weights, sim/gemm_pass.h): as many as the
  // array can keep apart, at least 1.
  virtual int64_t depthwise_group(int64_t channels, int64_t taps, const ArchConfig& arch) const = 0;

  // --- SRAM layout ---
  // The fold's input, weight and accumulator tiles as the buffers hold them: one row per edge
  // step (sim/sram.h layout).
  virtual FoldRows tile_rows(const FoldJob& job) const = 0;
  // The fold's EdgeTiming from the cycles one row step of each tile needs from its buffer's ports.
  virtual EdgeTiming edge_timing(int64_t x_row_cycles, int64_t w_row_cycles, int64_t out_row_cycles) const = 0;

  // --- Timing ---
  virtual FoldSchedule schedule(const FoldJob& job, int32_t rows, int32_t cols) const = 0;
  // The row (vector or weight column, relative to p0 / oc0) the array delivers at the end of
  // cycle n of the fold (n counts from the first preload cycle), or -1.
  virtual int64_t output_row(const FoldJob& job, int32_t rows, int32_t cols, int64_t n) const = 0;

  // --- Edges (the SystemC array) ---
  // Before the stream: the stationary tile into regs.stat (nothing for os).
  virtual void preload(ArrayRegisters& regs, const FoldJob& job) const = 0;
  // Stream step t: one clock edge of every PE; finished rows go to the sink.
  virtual void step(ArrayRegisters& regs, const FoldJob& job, int64_t t, ArrayOutputSink& sink) const = 0;

  // --- Rows leaving the array ---
  virtual RowKind row_kind() const = 0;
  // Rows the fold delivers (and accumulator rows its tile needs); lanes in use per row.
  int64_t delivered_rows(const FoldJob& job) const;
  int64_t row_lanes(const FoldJob& job) const;
  // The output channel and the vector (relative to p0) of lane `lane` of row `index`.
  int64_t row_channel(const FoldJob& job, int64_t index, int64_t lane) const;
  int64_t row_vector(int64_t index, int64_t lane) const;

  // --- RTL ---
  // The ports of cycle n of the fold (n in [0, schedule().cycles())); `in` sized R west, C north.
  virtual void rtl_inputs(const FoldJob& job, int32_t rows, int32_t cols, int64_t n, ArrayCycleInputs& in) const = 0;
  // Operand widths entering the west and north edges (rtl/array_datapath.v WEST_BITS, NORTH_BITS).
  virtual int32_t west_bits(int32_t weight_bits, int32_t act_bits) const = 0;
  virtual int32_t north_bits(int32_t weight_bits, int32_t act_bits) const = 0;
  // The array row whose finished sums leave in cycle n of a draining dataflow (os), else -1.
  virtual int64_t drained_pe_row(const FoldJob& job, int32_t rows, int32_t cols, int64_t n) const;

  // --- Energy ---
  virtual RegisterActivity register_activity(const LayerCounters& k) const = 0;
};

// The unit of a dataflow (registry.cpp).
const DataflowUnit& dataflow_unit(Dataflow d);
inline const DataflowUnit& dataflow_unit(const ArchConfig& arch) { return dataflow_unit(arch.dataflow); }

}  // namespace qarray
