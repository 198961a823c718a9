// A fold: one tile of a layer's matrix pass loaded into the array and streamed through it. The
// vocabulary every dataflow unit (dataflow_unit.h) speaks: the tile, the plan that cuts a pass
// into tiles, the order the controller runs them in, the tiles as the SRAM buffers hold them, the
// SRAM port timing of a fold's edge steps and the phases of a fold in cycles.
//
// Contract: a pass computes out[oc][p] = sum_k W[k][oc] * X[k][p] (sim/gemm_pass.h); a fold
// covers weight rows [k0, k0+k_len), columns [oc0, oc0+oc_len) and input vectors [p0, p0+p_len).
// Fold order (fold_order): p tiles, then oc tiles, then k tiles innermost, so each accumulator
// tile is finished by its last k fold and leaves through post-processing.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/arch_config.h"
#include "sim/gemm_pass.h"

namespace qarray {

struct FoldJob {
  const GemmPass* pass = nullptr;
  int64_t k0 = 0, k_len = 0;
  int64_t oc0 = 0, oc_len = 0;
  int64_t p0 = 0, p_len = 0;
};

// How a pass is cut: tile sizes along k, oc and p and the number of tiles along each.
struct FoldPlan {
  int64_t k_tile = 0, oc_tile = 0, p_tile = 0;
  int64_t k_tiles = 0, oc_tiles = 0, p_tiles = 0;
  int64_t folds() const { return k_tiles * oc_tiles * p_tiles; }
};

// One fold of a pass with its tile indices along k, oc and p.
struct FoldTile {
  FoldJob job;
  int64_t kt = 0, ot = 0, pt = 0;
  bool first_k = false, last_k = false;
};

// The folds of a pass in the controller's order (contract above). The co-simulation replays it.
std::vector<FoldTile> fold_order(const GemmPass& pass, const FoldPlan& plan);
// The plan with the given tile sizes (clipped tiles at the ends).
FoldPlan plan_with_tiles(int64_t k, int64_t oc, int64_t p, int64_t k_tile, int64_t oc_tile, int64_t p_tile);

// A tile as a buffer holds it: `rows` rows (one per edge step) of `operands` operands.
struct TileRows {
  int64_t rows = 0, operands = 0;
};
// The input (x), weight (w) and accumulator (out) tiles of a fold.
struct FoldRows {
  TileRows x, w, out;
};

// Cycles the SRAM ports need for each access step of a fold (sim/sram.h; 1 = they keep up):
// each stationary row read during the preload, each stream step that takes operands from the
// buffers, each step that writes a finished row of sums to the accumulator. A step touching both
// an operand buffer and the accumulator takes the larger of the two.
struct EdgeTiming {
  int64_t preload_row_cycles = 1;
  int64_t feed_cycles = 1;
  int64_t out_row_cycles = 1;
};

// A fold's phases in cycles (R x C physical PEs set the latency even when a fold uses fewer):
// the preload (the stationary tile shifts in, nothing streams), then the stream, one clock edge
// per step. Stream steps [0, feed_steps) take operands from the buffers; steps [out_begin,
// out_end) deliver finished rows of sums; the last `drain` steps only shift finished sums out.
struct FoldSchedule {
  int64_t preload = 0;
  int64_t preload_reads = 0;  // preload steps that read a stationary row from SRAM
  int64_t stream = 0;
  int64_t feed_steps = 0;
  int64_t out_begin = 0, out_end = 0;
  int64_t drain = 0;
  int64_t cycles() const { return preload + stream; }
};

// How many slices of `slice_bits` each fit one tile of buffer b (half its capacity when double
// buffered); at least one, or InputError "arch 'NAME': sram.BUFFER.capacity_bytes N is too small
// for one WHAT; needs at least M bytes (double buffered)".
int64_t slices_that_fit(const ArchConfig& arch, const char* buffer, const SramBuffer& b, int64_t slice_bits,
                        const std::string& what);

}  // namespace qarray
