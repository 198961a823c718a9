// layers.csv of `qarray run`: one row per network layer: layer, kind, the counter columns of the
// INT design (explore/counter_columns.h), then the energy columns of the INT design and its FP32
// twin (explore/energy_columns.h).
#pragma once
#include <string>

#include "explore/columns.h"
#include "explore/pricing.h"
#include "workloads/network.h"

namespace qarray::explore {

struct LayerTableRow {
  const Network& net;
  const PricedDesign& int_design;
  const PricedDesign& fp32_twin;
  size_t layer;
};

const Columns<LayerTableRow>& layer_table_columns();

// The whole file: header and one line per layer, each ending in a newline.
std::string layer_table_csv(const Network& net, const PricedDesign& q, const PricedDesign& fp);

}  // namespace qarray::explore
