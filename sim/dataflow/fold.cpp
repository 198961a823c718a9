#include "sim/dataflow/fold.h"

#include <algorithm>

#include "base/errors.h"

namespace qarray {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

std::vector<FoldTile> fold_order(const GemmPass& pass, const FoldPlan& plan) {
  std::vector<FoldTile> tiles;
  tiles.reserve(static_cast<size_t>(plan.folds()));
  for (int64_t pt = 0; pt < plan.p_tiles; ++pt)
    for (int64_t ot = 0; ot < plan.oc_tiles; ++ot)
      for (int64_t kt = 0; kt < plan.k_tiles; ++kt) {
        FoldTile t;
        t.kt = kt, t.ot = ot, t.pt = pt;
        t.job.pass = &pass;
        t.job.p0 = pt * plan.p_tile;
        t.job.p_len = std::min(plan.p_tile, pass.p - t.job.p0);
        t.job.oc0 = ot * plan.oc_tile;
        t.job.oc_len = std::min(plan.oc_tile, pass.oc - t.job.oc0);
        t.job.k0 = kt * plan.k_tile;
        t.job.k_len = std::min(plan.k_tile, pass.k - t.job.k0);
        t.first_k = kt == 0;
        t.last_k = kt == plan.k_tiles - 1;
        tiles.push_back(t);
      }
  return tiles;
}

FoldPlan plan_with_tiles(int64_t k, int64_t oc, int64_t p, int64_t k_tile, int64_t oc_tile, int64_t p_tile) {
  FoldPlan plan;
  plan.k_tile = k_tile;
  plan.oc_tile = oc_tile;
  plan.p_tile = p_tile;
  plan.k_tiles = ceil_div(k, k_tile);
  plan.oc_tiles = ceil_div(oc, oc_tile);
  plan.p_tiles = ceil_div(p, p_tile);
  return plan;
}

int64_t slices_that_fit(const ArchConfig& arch, const char* buffer, const SramBuffer& b, int64_t slice_bits,
                        const std::string& what) {
  const int64_t n = b.tile_bytes() * 8 / slice_bits;
  if (n >= 1) return n;
  const int64_t min_bytes = ceil_div(slice_bits, 8) * (b.double_buffer ? 2 : 1);
  throw InputError("arch '" + arch.name + "': sram." + buffer + ".capacity_bytes " +
                   std::to_string(b.capacity_bytes) + " is too small for one " + what + "; needs at least " +
                   std::to_string(min_bytes) + " bytes" + (b.double_buffer ? " (double buffered)" : ""));
}

}  // namespace qarray
