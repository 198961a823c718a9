// Per-op translation of ONNX nodes into the graph IR: attributes with their ONNX defaults,
// constant inputs (Clip bounds, Reshape target) resolved onto the node, and the attribute
// values qarray does not implement rejected by name.
#include <algorithm>
#include <cmath>
#include <limits>

#include "base/errors.h"
#include "models/onnx_import.h"
#include "models/onnx_loader.h"

namespace qarray {
namespace {

const std::map<std::string, OpType> kOps = {
    {"Conv", OpType::Conv},
    {"Gemm", OpType::Gemm},
    {"MatMul", OpType::MatMul},
    {"BatchNormalization", OpType::BatchNorm},
    {"Relu", OpType::Relu},
    {"Clip", OpType::Clip},
    {"Add", OpType::Add},
    {"MaxPool", OpType::MaxPool},
    {"AveragePool", OpType::AveragePool},
    {"GlobalAveragePool", OpType::GlobalAveragePool},
    {"Flatten", OpType::Flatten},
    {"Reshape", OpType::Reshape},
    {"Identity", OpType::Identity},
    {"Dropout", OpType::Dropout},
};

class Attrs {
 public:
  Attrs(const onnx::NodeProto& proto, const Node& node) : proto_(proto), node_(node) {}

  const onnx::AttributeProto* find(const char* name) const {
    for (const auto& a : proto_.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  int64_t i(const char* name, int64_t def) const {
    const auto* a = find(name);
    return a ? a->i() : def;
  }
  float f(const char* name, float def) const {
    const auto* a = find(name);
    return a ? a->f() : def;
  }
  std::string s(const char* name, const std::string& def) const {
    const auto* a = find(name);
    return a ? a->s() : def;
  }
  std::vector<int64_t> ints(const char* name, std::vector<int64_t> def) const {
    const auto* a = find(name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : def;
  }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw UnsupportedError(std::string(op_name(node_.op)) + " at node '" + node_.name + "': " +
                           what + " is not supported");
  }

 private:
  const onnx::NodeProto& proto_;
  const Node& node_;
};

// Kernel, strides, pads, dilations of Conv and the pools; 2-D only, explicit padding only.
void read_window(const Attrs& a, Node& node) {
  std::string auto_pad = a.s("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && !auto_pad.empty()) a.unsupported("auto_pad=" + auto_pad);
  if (a.i("ceil_mode", 0) != 0) a.unsupported("ceil_mode=1");
  node.kernel = a.ints("kernel_shape", node.kernel);
  if (node.kernel.size() != 2) {
    a.unsupported("kernel_shape " + shape_str(node.kernel) + " (not 2-D)");
  }
  node.strides = a.ints("strides", {1, 1});
  node.pads = a.ints("pads", {0, 0, 0, 0});
  node.dilations = a.ints("dilations", {1, 1});
}

void read_conv(const Attrs& a, const ImportContext& ctx, Node& node) {
  node.group = a.i("group", 1);
  const Tensor* w = node.inputs.size() > 1 && ctx.graph.is_init(node.inputs[1])
                        ? &ctx.graph.init(node.inputs[1]) : nullptr;
  if (w && w->shape.size() == 4) node.kernel = {w->dim(2), w->dim(3)};
  read_window(a, node);
  bool depthwise = w && w->shape.size() == 4 && w->dim(1) == 1 && w->dim(0) == node.group;
  if (node.group != 1 && !depthwise) {
    a.unsupported("group=" + std::to_string(node.group) +
                  (w ? " with weight " + shape_str(w->shape) : std::string()) +
                  " (only group 1 or depthwise, group == input channels == output channels)");
  }
}

// A scalar Clip bound given as an optional input: an initializer or a folded Constant.
float clip_bound(const Attrs& a, const ImportContext& ctx, const Node& node, size_t i, float def) {
  if (node.inputs.size() <= i || node.inputs[i].empty()) return def;
  const std::string& name = node.inputs[i];
  if (!ctx.graph.is_init(name)) a.unsupported("non-constant bound '" + name + "'");
  const Tensor& t = ctx.graph.init(name);
  if (t.size() != 1) a.unsupported("bound '" + name + "' of shape " + shape_str(t.shape));
  return t.data[0];
}

void read_clip(const Attrs& a, const ImportContext& ctx, Node& node) {
  const float inf = std::numeric_limits<float>::infinity();
  node.clip_min = a.f("min", clip_bound(a, ctx, node, 1, -inf));  // opset < 11: attributes
  node.clip_max = a.f("max", clip_bound(a, ctx, node, 2, inf));
  node.inputs.resize(1);
}

void read_reshape(const Attrs& a, const ImportContext& ctx, Node& node) {
  if (node.inputs.size() != 2) {
    throw InputError("Reshape at node '" + node.name + "': expected inputs (data, shape)");
  }
  auto it = ctx.int_constants.find(node.inputs[1]);
  if (it == ctx.int_constants.end()) {
    a.unsupported("shape '" + node.inputs[1] + "' that is not a constant INT64 tensor");
  }
  node.reshape = it->second;
  bool has_zero = std::find(node.reshape.begin(), node.reshape.end(), 0) != node.reshape.end();
  if (a.i("allowzero", 0) != 0 && has_zero) a.unsupported("allowzero=1 with a 0 in the shape");
  node.inputs.resize(1);
}

void read_attributes(const Attrs& a, const ImportContext& ctx, Node& node) {
  switch (node.op) {
    case OpType::Conv: read_conv(a, ctx, node); break;
    case OpType::MaxPool: read_window(a, node); break;
    case OpType::AveragePool:
      read_window(a, node);
      node.count_include_pad = a.i("count_include_pad", 0) != 0;
      break;
    case OpType::Gemm:
      node.trans_a = a.i("transA", 0) != 0;
      node.trans_b = a.i("transB", 0) != 0;
      node.alpha = a.f("alpha", 1.0f);
      node.beta = a.f("beta", 1.0f);
      if (node.trans_a) a.unsupported("transA=1");
      break;
    case OpType::BatchNorm:
      node.epsilon = a.f("epsilon", 1e-5f);
      if (a.i("training_mode", 0) != 0) a.unsupported("training_mode=1");
      break;
    case OpType::Clip: read_clip(a, ctx, node); break;
    case OpType::Flatten: node.axis = a.i("axis", 1); break;
    case OpType::Reshape: read_reshape(a, ctx, node); break;
    case OpType::Dropout: node.inputs.resize(1); break;  // ratio/training_mode: inference
    default: break;
  }
}

}  // namespace

std::string supported_ops() {
  std::string list;
  for (int i = 0; i <= static_cast<int>(OpType::Dropout); ++i) {
    list += op_name(static_cast<OpType>(i));
    list += ", ";
  }
  return list + "Constant";
}

Node convert_node(const onnx::NodeProto& proto, const std::string& name,
                  const ImportContext& ctx) {
  bool default_domain = proto.domain().empty() || proto.domain() == "ai.onnx";
  auto op = kOps.find(proto.op_type());
  if (!default_domain || op == kOps.end()) {
    std::string type = default_domain ? proto.op_type() : proto.domain() + "." + proto.op_type();
    throw UnsupportedError("unsupported op '" + type + "' at node '" + name +
                           "' (supported: " + supported_ops() + ")");
  }
  Node node;
  node.op = op->second;
  node.name = name;
  node.inputs.assign(proto.input().begin(), proto.input().end());
  node.outputs.assign(proto.output().begin(), proto.output().end());
  if (node.outputs.empty() || node.outputs[0].empty()) {
    throw InputError(std::string(op_name(node.op)) + " at node '" + name + "' has no output");
  }
  // Extra outputs (Dropout mask, MaxPool indices, BN training statistics) must be unused.
  for (size_t i = 1; i < node.outputs.size(); ++i) {
    if (!node.outputs[i].empty() && ctx.used.count(node.outputs[i])) {
      Attrs(proto, node).unsupported("using output " + std::to_string(i) + " ('" +
                                     node.outputs[i] + "')");
    }
  }
  node.outputs.resize(1);
  read_attributes(Attrs(proto, node), ctx, node);
  while (!node.inputs.empty() && node.inputs.back().empty()) node.inputs.pop_back();
  for (const std::string& in : node.inputs) {
    if (in.empty()) {
      throw UnsupportedError(std::string(op_name(node.op)) + " at node '" + name +
                             "': omitted optional input before a given one");
    }
  }
  return node;
}

}  // namespace qarray
