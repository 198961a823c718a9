// ONNX import on the official protobuf schema (libonnx-dev). Supported ops: Conv (group 1 and
// depthwise), Gemm, MatMul, BatchNormalization, Relu, Clip, Add, MaxPool, AveragePool,
// GlobalAveragePool, Flatten, Reshape, Identity, Dropout; Constant nodes are folded into
// initializers. Shapes are inferred on load.
#pragma once
#include <string>

#include "models/graph.h"

namespace qarray {

// Throws InputError for an unreadable/truncated/malformed file (naming the file) and
// UnsupportedError for an op outside the list (naming op type, node, and the supported list).
Graph load_onnx(const std::string& path);

// Comma-separated list of the supported op types, for messages and --help.
std::string supported_ops();

}  // namespace qarray
