// The dataflows qarray knows: one line per unit.
#include "sim/dataflow/dataflow_unit.h"
#include "base/errors.h"
#include "sim/dataflow/is.h"
#include "sim/dataflow/os.h"
#include "sim/dataflow/ws.h"

namespace qarray {

const DataflowUnit& dataflow_unit(Dataflow d) {
  static const WeightStationary ws;
  static const OutputStationary os;
  static const InputStationary is;
  static const DataflowUnit* const units[] = {&ws, &os, &is};
  for (const DataflowUnit* u : units)
    if (u->id() == d) return *u;
  throw Error("no unit for dataflow " + std::to_string(static_cast<int>(d)));
}

}  // namespace qarray
