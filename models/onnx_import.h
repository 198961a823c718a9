// Internal to the ONNX importer: the state shared between reading the file (onnx_loader.cpp)
// and translating single nodes (onnx_ops.cpp).
#pragma once
#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/graph.h"

namespace qarray {

struct ImportContext {
  Graph& graph;  // initializers (FLOAT, including folded Constant nodes) are already filled
  std::map<std::string, std::vector<int64_t>> int_constants;  // INT64 initializers/Constants
  std::set<std::string> used;  // values read by some node, plus the graph output
};

// Translates one ONNX node (not a Constant) into the IR; `name` is the node's name or a
// synthesized one. Throws UnsupportedError for ops or attribute values outside the supported
// set, InputError for malformed attributes.
Node convert_node(const onnx::NodeProto& proto, const std::string& name, const ImportContext& ctx);

}  // namespace qarray
