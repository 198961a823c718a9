// layers.csv of `qarray run` (explore/layer_table.h).
#include "explore/layer_table.h"

#include "explore/counter_columns.h"
#include "explore/energy_columns.h"

namespace qarray::explore {
namespace {

Columns<LayerTableRow> make_columns() {
  using R = const LayerTableRow&;
  const Columns<LayerTableRow> name = {
      {"layer", [](R r) { return Cell(r.net.layers[r.layer].name); }},
      {"kind", [](R r) { return Cell(std::string(layer_kind_name(r.net.layers[r.layer].kind))); }}};
  return name +
         project_columns<LayerTableRow>(counter_columns(), "",
                                        [](R r) {
                                          return CounterRow{r.int_design.counters[r.layer],
                                                            r.int_design.arch.clock_mhz};
                                        }) +
         project_columns<LayerTableRow>(energy_columns(), "",
                                        [](R r) { return LayerEnergyRow{r.int_design, r.fp32_twin, r.layer}; });
}

}  // namespace

const Columns<LayerTableRow>& layer_table_columns() {
  static const Columns<LayerTableRow> columns = make_columns();
  return columns;
}

std::string layer_table_csv(const Network& net, const PricedDesign& q, const PricedDesign& fp) {
  const Columns<LayerTableRow>& columns = layer_table_columns();
  std::string csv = csv_header(columns) + "\n";
  for (size_t i = 0; i < q.counters.size(); ++i) csv += csv_row(columns, LayerTableRow{net, q, fp, i}) + "\n";
  return csv;
}

}  // namespace qarray::explore
