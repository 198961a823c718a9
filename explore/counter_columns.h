// The per-layer counter columns of the cycle model: layers.csv of `run`, the CSV of `sim-layer`
// and the "sim" layers of report.json are generated from this one list (docs/cli.md).
//
// In order: folds, total_cycles, latency_us, weight_load_cycles, compute_cycles, drain_cycles,
// stall_cycles, macs, pe_utilization, ifmap_reads, weight_reads, ofmap_reads, ofmap_writes,
// dram_read_bytes, dram_write_bytes, dram_stall_cycles, sram_stall_cycles, ifmap_fill_writes,
// weight_fill_writes, ofmap_drain_reads, then {array,ppu,dma,ifmap,weight,ofmap}_{busy,stall,
// idle}_cycles. latency_us = total_cycles / clock_mhz.
#pragma once
#include <nlohmann/json.hpp>

#include "explore/columns.h"
#include "sim/counters.h"

namespace qarray::explore {

// One layer's counters and the clock that turns its cycles into microseconds.
struct CounterRow {
  const LayerCounters& counters;
  double clock_mhz;
};

const Columns<CounterRow>& counter_columns();

// The counter columns as a JSON object, plus "sram_banks": per buffer (ifmap, weight, ofmap) one
// object per bank with reads, writes, fill_writes, drain_reads.
nlohmann::json counters_json(const LayerCounters& k, double clock_mhz);

}  // namespace qarray::explore
