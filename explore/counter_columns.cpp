// The per-layer counter columns (explore/counter_columns.h).
#include "explore/counter_columns.h"

#include <utility>

namespace qarray::explore {
namespace {

// A column of one int64_t counter.
Column<CounterRow> counter(const char* name, int64_t (*get)(const LayerCounters&)) {
  return {name, [get](const CounterRow& r) { return Cell(get(r.counters)); }};
}

// The busy, stall and idle columns of one unit ("array_busy_cycles", ...).
void add_unit(Columns<CounterRow>& out, const std::string& unit, const UnitCycles& (*of)(const LayerCounters&)) {
  out.push_back({unit + "_busy_cycles", [of](const CounterRow& r) { return Cell(of(r.counters).busy); }});
  out.push_back({unit + "_stall_cycles", [of](const CounterRow& r) { return Cell(of(r.counters).stall); }});
  out.push_back({unit + "_idle_cycles", [of](const CounterRow& r) { return Cell(of(r.counters).idle); }});
}

Columns<CounterRow> make_columns() {
  using K = const LayerCounters&;
  Columns<CounterRow> c = {
      counter("folds", [](K k) { return k.folds; }),
      counter("total_cycles", [](K k) { return k.total_cycles; }),
      {"latency_us", [](const CounterRow& r) { return Cell(r.counters.total_cycles / r.clock_mhz); }},
      counter("weight_load_cycles", [](K k) { return k.weight_load_cycles; }),
      counter("compute_cycles", [](K k) { return k.compute_cycles; }),
      counter("drain_cycles", [](K k) { return k.drain_cycles; }),
      counter("stall_cycles", [](K k) { return k.stall_cycles; }),
      counter("macs", [](K k) { return k.macs; }),
      {"pe_utilization", [](const CounterRow& r) { return Cell(r.counters.pe_utilization); }},
      counter("ifmap_reads", [](K k) { return k.ifmap.reads; }),
      counter("weight_reads", [](K k) { return k.weight.reads; }),
      counter("ofmap_reads", [](K k) { return k.ofmap.reads; }),
      counter("ofmap_writes", [](K k) { return k.ofmap.writes; }),
      counter("dram_read_bytes", [](K k) { return k.dram_read_bytes; }),
      counter("dram_write_bytes", [](K k) { return k.dram_write_bytes; }),
      counter("dram_stall_cycles", [](K k) { return k.dram_stall_cycles; }),
      counter("sram_stall_cycles", [](K k) { return k.sram_stall_cycles; }),
      counter("ifmap_fill_writes", [](K k) { return k.ifmap.fill_writes; }),
      counter("weight_fill_writes", [](K k) { return k.weight.fill_writes; }),
      counter("ofmap_drain_reads", [](K k) { return k.ofmap.drain_reads; }),
  };
  add_unit(c, "array", [](K k) -> const UnitCycles& { return k.array; });
  add_unit(c, "ppu", [](K k) -> const UnitCycles& { return k.post_processing; });
  add_unit(c, "dma", [](K k) -> const UnitCycles& { return k.dma; });
  add_unit(c, "ifmap", [](K k) -> const UnitCycles& { return k.ifmap.cycles; });
  add_unit(c, "weight", [](K k) -> const UnitCycles& { return k.weight.cycles; });
  add_unit(c, "ofmap", [](K k) -> const UnitCycles& { return k.ofmap.cycles; });
  return c;
}

}  // namespace

const Columns<CounterRow>& counter_columns() {
  static const Columns<CounterRow> columns = make_columns();
  return columns;
}

nlohmann::json counters_json(const LayerCounters& k, double clock_mhz) {
  nlohmann::json j = nlohmann::json::object();
  add_json(j, counter_columns(), CounterRow{k, clock_mhz});
  nlohmann::json& banks = j["sram_banks"];
  for (const auto& [name, b] : {std::pair<const char*, const BufferCounters*>{"ifmap", &k.ifmap},
                                {"weight", &k.weight}, {"ofmap", &k.ofmap}}) {
    nlohmann::json& list = banks[name] = nlohmann::json::array();
    for (const BankCounters& c : b->banks)
      list.push_back({{"reads", c.reads}, {"writes", c.writes}, {"fill_writes", c.fill_writes},
                      {"drain_reads", c.drain_reads}});
  }
  return j;
}

}  // namespace qarray::explore
