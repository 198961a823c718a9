// The dataflow units of sim/dataflow/: identity and registration, each unit's fold schedule
// against the closed-form cycle formulas of sim/README.md, the agreement between a unit's
// schedule and the rows its RTL stimulus says leave the array, tiling and register activity.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "base/errors.h"
#include "sim/dataflow/dataflow_unit.h"

namespace qarray {
namespace {

const Dataflow kAll[] = {Dataflow::WeightStationary, Dataflow::OutputStationary, Dataflow::InputStationary};

TEST(DataflowUnits, EnumValuesAreTheRtlEncodingOfPeV) {
  // rtl/pe.v: DATAFLOW 0 = ws, 1 = os, 2 = is (qarray_rtl_params writes the enum's value).
  EXPECT_EQ(static_cast<int>(Dataflow::WeightStationary), 0);
  EXPECT_EQ(static_cast<int>(Dataflow::OutputStationary), 1);
  EXPECT_EQ(static_cast<int>(Dataflow::InputStationary), 2);
}

TEST(DataflowUnits, EveryDataflowHasItsUnitAndItsNameParsesBack) {
  for (Dataflow d : kAll) {
    EXPECT_EQ(dataflow_unit(d).id(), d);
    EXPECT_EQ(parse_dataflow(dataflow_unit(d).name()), d);
  }
  EXPECT_STREQ(dataflow_name(Dataflow::InputStationary), "is");
}

TEST(DataflowUnits, AnUnknownNameIsOneLineListingTheKnownOnes) {
  try {
    parse_dataflow("xs");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "unknown dataflow 'xs' (expected ws, os or is)");
  }
  EXPECT_THROW(parse_dataflow("WS"), InputError);
  EXPECT_THROW(parse_dataflow(""), InputError);
}

FoldJob job(int64_t k_len, int64_t oc_len, int64_t p_len) {
  FoldJob j;
  j.k_len = k_len;
  j.oc_len = oc_len;
  j.p_len = p_len;
  return j;
}

// sim/README.md "Busy cycles per dataflow", written here independently of the units.
int64_t readme_fold_cycles(Dataflow d, int64_t R, int64_t C, const FoldJob& j) {
  if (d == Dataflow::WeightStationary) return 2 * R + C + j.p_len - 2;
  if (d == Dataflow::InputStationary) return 2 * R + C + j.oc_len - 2;
  return j.k_len + 2 * R + C - 2;
}

TEST(DataflowUnits, FoldCyclesAreTheReadmeFormulaOnRandomShapes) {
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    const int32_t R = 1 + static_cast<int32_t>(rng() % 64), C = 1 + static_cast<int32_t>(rng() % 64);
    const FoldJob j = job(1 + rng() % R, 1 + rng() % C, 1 + rng() % 300);
    for (Dataflow d : kAll)
      EXPECT_EQ(dataflow_unit(d).schedule(j, R, C).cycles(), readme_fold_cycles(d, R, C, j))
          << dataflow_name(d) << " R=" << R << " C=" << C;
  }
}

TEST(DataflowUnits, OsDrainsRowsAndTheStationaryOnesPreloadRows) {
  const FoldJob j = job(5, 3, 4);
  const FoldSchedule ws = dataflow_unit(Dataflow::WeightStationary).schedule(j, 8, 6);
  EXPECT_EQ(ws.preload, 8);
  EXPECT_EQ(ws.preload_reads, 5);  // k_len stationary rows come from SRAM
  EXPECT_EQ(ws.feed_steps, 4);
  EXPECT_EQ(ws.out_begin, 12);  // R + C - 2
  EXPECT_EQ(ws.drain, 0);
  const FoldSchedule os = dataflow_unit(Dataflow::OutputStationary).schedule(j, 8, 6);
  EXPECT_EQ(os.preload, 0);
  EXPECT_EQ(os.drain, 8);
  EXPECT_EQ(os.feed_steps, 5);
  EXPECT_EQ(os.out_end - os.out_begin, 4);  // the used rows leave last
  EXPECT_EQ(os.out_end, os.stream);
}

// The row schedule the co-simulation tags rows with (output_row) and the schedule the SystemC
// array's SRAM bubbles use (out_begin / out_end) are the same rows in the same cycles: every
// delivered row leaves exactly once, inside the window.
TEST(DataflowUnits, OutputRowsLeaveOnceEachInsideTheScheduledWindow) {
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) {
    const int32_t R = 1 + static_cast<int32_t>(rng() % 12), C = 1 + static_cast<int32_t>(rng() % 12);
    const FoldJob j = job(1 + rng() % R, 1 + rng() % C, 1 + rng() % R);
    for (Dataflow d : kAll) {
      const DataflowUnit& u = dataflow_unit(d);
      const FoldSchedule s = u.schedule(j, R, C);
      std::set<int64_t> seen;
      for (int64_t n = 0; n < s.cycles() + 4; ++n) {
        const int64_t row = u.output_row(j, R, C, n);
        if (row < 0) continue;
        EXPECT_TRUE(seen.insert(row).second) << u.name() << " row " << row << " twice";
        EXPECT_GE(n - s.preload, s.out_begin) << u.name();
        EXPECT_LT(n - s.preload, s.out_end) << u.name();
      }
      EXPECT_EQ(static_cast<int64_t>(seen.size()), u.delivered_rows(j)) << u.name();
    }
  }
}

ArchConfig arch_of(Dataflow d, int32_t rows, int32_t cols) {
  ArchConfig a;
  a.dataflow = d;
  a.rows = rows;
  a.cols = cols;
  return a;
}

TEST(DataflowUnits, TheSpatialSidesAreTheArrayAndTheStreamedOneTheBuffers) {
  // ws16 buffers: ifmap 64 KiB double buffered = 32 KiB per tile = 2048 vectors of 16 bytes.
  const ArchConfig ws = arch_of(Dataflow::WeightStationary, 16, 16);
  const FoldPlan p = dataflow_unit(ws).plan(100, 40, 5000, ws);
  EXPECT_EQ(p.k_tile, 16);
  EXPECT_EQ(p.oc_tile, 16);
  EXPECT_EQ(p.p_tile, 512);  // the ofmap: 32 KiB per tile / (16 accumulators x 4 bytes)
  EXPECT_EQ(p.folds(), 7 * 3 * 10);
  const ArchConfig is = arch_of(Dataflow::InputStationary, 16, 16);
  const FoldPlan q = dataflow_unit(is).plan(100, 40, 5000, is);
  EXPECT_EQ(q.k_tile, 16);
  EXPECT_EQ(q.p_tile, 16);
  EXPECT_EQ(q.oc_tile, 40);
  const ArchConfig os = arch_of(Dataflow::OutputStationary, 16, 16);
  const FoldPlan r = dataflow_unit(os).plan(100, 40, 5000, os);
  EXPECT_EQ(r.p_tile, 16);
  EXPECT_EQ(r.oc_tile, 16);
  EXPECT_EQ(r.k_tile, 100);
}

TEST(DataflowUnits, DepthwiseGroupIsWhatTheArrayKeepsApart) {
  const ArchConfig ws = arch_of(Dataflow::WeightStationary, 16, 8);
  EXPECT_EQ(dataflow_unit(ws).depthwise_group(32, 9, ws), 1);  // 16 rows / 9 taps
  const ArchConfig ws32 = arch_of(Dataflow::WeightStationary, 32, 8);
  EXPECT_EQ(dataflow_unit(ws32).depthwise_group(32, 9, ws32), 3);
  const ArchConfig is = arch_of(Dataflow::InputStationary, 32, 2);
  EXPECT_EQ(dataflow_unit(is).depthwise_group(32, 9, is), 3);  // columns do not limit is
  const ArchConfig os = arch_of(Dataflow::OutputStationary, 4, 8);
  EXPECT_EQ(dataflow_unit(os).depthwise_group(32, 9, os), 8);  // rows do not limit os
  EXPECT_EQ(dataflow_unit(os).depthwise_group(5, 9, os), 5);
  const ArchConfig tiny = arch_of(Dataflow::WeightStationary, 4, 4);
  EXPECT_EQ(dataflow_unit(tiny).depthwise_group(32, 9, tiny), 1);  // at least one channel
}

TEST(DataflowUnits, RegisterActivityPerDataflow) {
  LayerCounters k;
  k.macs = 1000;
  k.weight.reads = 64;
  k.ifmap.reads = 100;
  const RegisterActivity ws = dataflow_unit(Dataflow::WeightStationary).register_activity(k);
  EXPECT_EQ(ws.act_writes, 1000);
  EXPECT_EQ(ws.weight_writes, 64);
  EXPECT_EQ(ws.acc_writes, 1000);
  const RegisterActivity is = dataflow_unit(Dataflow::InputStationary).register_activity(k);
  EXPECT_EQ(is.act_writes, 100);
  EXPECT_EQ(is.weight_writes, 1000);
  const RegisterActivity os = dataflow_unit(Dataflow::OutputStationary).register_activity(k);
  EXPECT_EQ(os.act_writes + os.weight_writes + os.acc_writes, 3000);
}

TEST(DataflowUnits, RtlEdgeWidthsFollowWhatEachEdgeCarries) {
  // is streams weights from the west and preloads activations from the north; ws and os the reverse.
  EXPECT_EQ(dataflow_unit(Dataflow::InputStationary).west_bits(4, 8), 4);
  EXPECT_EQ(dataflow_unit(Dataflow::InputStationary).north_bits(4, 8), 8);
  for (Dataflow d : {Dataflow::WeightStationary, Dataflow::OutputStationary}) {
    EXPECT_EQ(dataflow_unit(d).west_bits(4, 8), 8);
    EXPECT_EQ(dataflow_unit(d).north_bits(4, 8), 4);
  }
}

}  // namespace
}  // namespace qarray
