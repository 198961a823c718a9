// Internal to the ONNX importer: the state shared between reading the file (onnx_loader.cpp),
// folding constant subgraphs (onnx_fold.cpp) and translating single nodes (onnx_ops.cpp).
#pragma once
#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/errors.h"
#include "models/graph.h"

namespace qarray {

// An integer constant (INT32, INT64 or BOOL in the file) with its shape. `batch` marks, per
// element, a value computed from the batch size, which import does not know: 1 = the batch size
// itself (Shape(x)[0] and copies of it), 2 = some other function of it. Such values are computed
// with batch size 1 and may only end up as the leading 0 of a Reshape target.
struct IntConst {
  Shape shape;
  std::vector<int64_t> v;
  std::vector<uint8_t> batch;  // empty = no element depends on the batch
  int32_t type = onnx::TensorProto::INT64;
  bool depends_on_batch() const;
};

// A model acting across the batch axis in the batched import: retried with whole tensors.
struct BatchAxisError : UnsupportedError {
  using UnsupportedError::UnsupportedError;
};

struct ImportContext {
  Graph& graph;  // initializers: FLOAT tensors, including folded constants
  std::map<std::string, IntConst> ints;  // integer constants, including folded ones
  std::set<std::string> used;            // values read by some node, plus the graph output
  int64_t opset = 13;                    // default-domain opset of the model
  // Per-sample axis of file axis `a` of a value of per-sample rank `rank`; throws BatchAxisError
  // naming `what` when it is the batch axis.
  int64_t axis(int64_t a, size_t rank, const std::string& what) const;
  bool is_const(const std::string& name) const { return graph.is_init(name) || ints.count(name); }
};

// Folds node `proto` into constants when it computes only from constants (or from the shape of
// a value: Shape, Size). Returns false when the node must be translated instead. Throws
// UnsupportedError for a foldable op with an attribute outside the supported set.
bool fold_constant_node(const onnx::NodeProto& proto, const std::string& name, ImportContext& ctx);

// Translates one ONNX node into IR nodes (usually one; Split becomes one Slice per output).
// Throws UnsupportedError for ops or attribute values outside the supported set, InputError for
// malformed attributes.
std::vector<Node> convert_node(const onnx::NodeProto& proto, const std::string& name, ImportContext& ctx);

// Throws the "unsupported op" UnsupportedError for an op type (or domain) outside the set.
void check_op_supported(const onnx::NodeProto& proto, const std::string& name);

// Shape inference of one node whose inputs have shapes (shape_inference.cpp); may rewrite the
// node (auto_pad into pads) and its private initializers (broadcast constants to per-sample rank).
Shape infer_node_shape(Graph& g, Node& node);

}  // namespace qarray
