// ONNX import on the official protobuf schema (libonnx-dev), default-domain opsets 7 to 17.
// Supported ops: supported_ops() (the graph IR's OpType list, plus Constant, Split and the
// shape-computation ops folded into constants: Shape, Size, Gather, Unsqueeze, Squeeze,
// Concat, Cast, Slice, Range, ConstantOfShape, Reshape, Transpose, Identity and element-wise
// arithmetic on constants). Shapes are inferred on load.
#pragma once
#include <map>
#include <string>

#include "models/graph.h"

namespace qarray {

struct ImportOptions {
  // Whole file shapes of graph inputs whose dims are symbolic (--input-shape NAME=1x3x224x224);
  // the leading (batch) dim is not used: the batch comes from the data.
  std::map<std::string, Shape> input_shapes;
  // Graph inputs bound to constant values: input name -> TensorProto file (any FLOAT or integer
  // type), taken as initializers (ONNX backend test cases give weights this way).
  std::map<std::string, std::string> bound_inputs;
};

// Throws InputError for an unreadable/truncated/malformed file (naming the file) and
// UnsupportedError for a model outside the supported set: one line naming every unsupported op
// and attribute with its node, and the supported list.
Graph load_onnx(const std::string& path, const ImportOptions& options = {});

// Comma-separated list of the supported op types, for messages and --help.
std::string supported_ops();

// Parses "NAME=1x3x224x224" (the --input-shape flag). Throws InputError naming the flag value.
std::pair<std::string, Shape> parse_input_shape(const std::string& text);

}  // namespace qarray
