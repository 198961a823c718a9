#include "sim/dataflow/dataflow.h"

#include "base/errors.h"

namespace qarray {

const char* dataflow_name(Dataflow d) {
  switch (d) {
    case Dataflow::WeightStationary: return "ws";
    case Dataflow::OutputStationary: return "os";
    case Dataflow::InputStationary: return "is";
  }
  return "?";
}

Dataflow parse_dataflow(const std::string& name) {
  for (Dataflow d : {Dataflow::WeightStationary, Dataflow::OutputStationary, Dataflow::InputStationary})
    if (name == dataflow_name(d)) return d;
  throw InputError("unknown dataflow '" + name + "' (expected ws, os or is)");
}

}  // namespace qarray
