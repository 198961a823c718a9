// ONNX import: reads the ModelProto, decodes initializers, folds Constant nodes, finds the
// single [N,C,H,W] input and single output, translates nodes (onnx_ops.cpp), sorts them
// topologically and infers shapes.
#include "models/onnx_loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "models/onnx_import.h"
#include "models/onnx_tensor.h"

namespace qarray {
namespace {

onnx::ModelProto read_model(const std::string& path) {
  // A directory opens and reads as empty, which protobuf takes for an empty model.
  std::error_code ec;  // a path the file system refuses (too long, ...) fails the open below
  if (std::filesystem::is_directory(path, ec)) throw InputError("'" + path + "' is a directory, not an ONNX model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open model file '" + path + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes.str())) {
    throw InputError("'" + path + "' is not a valid ONNX model (protobuf parse failed)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    throw InputError("'" + path + "' is not a valid ONNX model (no graph or no nodes)");
  }
  return model;
}

// Stores a FLOAT tensor as an initializer and an INT64 tensor as an integer constant.
void add_constant(const onnx::TensorProto& t, const std::string& name, const std::string& where,
                  ImportContext& ctx) {
  if (t.data_type() == onnx::TensorProto::INT64) {
    ctx.int_constants[name] = int64_values(t, where);
  } else {
    ctx.graph.initializers[name] = float_tensor(t, where);
  }
}

void fold_constant(const onnx::NodeProto& node, const std::string& name, ImportContext& ctx) {
  std::string where = "Constant at node '" + name + "'";
  if (node.output_size() != 1 || node.attribute_size() != 1) {
    throw InputError(where + ": expected one output and one value attribute");
  }
  const onnx::AttributeProto& a = node.attribute(0);
  const std::string& out = node.output(0);
  if (a.name() == "value") {
    add_constant(a.t(), out, where, ctx);
  } else if (a.name() == "value_float") {
    ctx.graph.initializers[out] = Tensor({}, a.f());
  } else if (a.name() == "value_floats") {
    ctx.graph.initializers[out] = Tensor({a.floats_size()}, {a.floats().begin(), a.floats().end()});
  } else if (a.name() == "value_int") {
    ctx.int_constants[out] = {a.i()};
  } else if (a.name() == "value_ints") {
    ctx.int_constants[out] = {a.ints().begin(), a.ints().end()};
  } else {
    throw UnsupportedError(where + ": attribute '" + a.name() + "' is not supported");
  }
}

// Identity of a constant (exporters emit these for shared weights) is an alias, not a node.
bool fold_identity(const onnx::NodeProto& node, ImportContext& ctx) {
  if (node.op_type() != "Identity" || node.input_size() != 1 || node.output_size() != 1) {
    return false;
  }
  Graph& g = ctx.graph;
  if (g.is_init(node.input(0))) {
    g.initializers[node.output(0)] = g.init(node.input(0));
    return true;
  }
  auto it = ctx.int_constants.find(node.input(0));
  if (it == ctx.int_constants.end()) return false;
  std::vector<int64_t> v = it->second;
  ctx.int_constants[node.output(0)] = std::move(v);
  return true;
}

std::string dim_str(const onnx::TensorShapeProto::Dimension& d) {
  return d.has_dim_value() ? std::to_string(d.dim_value())
                           : (d.dim_param().empty() ? "?" : d.dim_param());
}

// The first graph input that is not an initializer must be [N,C,H,W] with fixed C,H,W.
void read_input(const onnx::GraphProto& gp, const std::set<std::string>& init_names, Graph& g) {
  for (const onnx::ValueInfoProto& vi : gp.input()) {
    if (init_names.count(vi.name())) continue;
    g.input = vi.name();
    const auto& type = vi.type().tensor_type();
    if (type.elem_type() != onnx::TensorProto::FLOAT) {
      throw UnsupportedError("graph input '" + vi.name() + "' has element type " +
                             data_type_name(type.elem_type()) + ", expected FLOAT");
    }
    std::string dims;
    for (const auto& d : type.shape().dim()) dims += (dims.empty() ? "" : ",") + dim_str(d);
    const auto& dim = type.shape().dim();
    bool ok = dim.size() == 4;
    for (int i = 1; ok && i < 4; ++i) ok = dim[i].has_dim_value() && dim[i].dim_value() > 0;
    if (!ok) {
      throw UnsupportedError("graph input '" + vi.name() + "' has shape [" + dims +
                             "], expected [N,C,H,W] with fixed C, H, W");
    }
    g.input_shape = {dim[1].dim_value(), dim[2].dim_value(), dim[3].dim_value()};
    return;
  }
  throw InputError("the graph has no input besides its initializers");
}

// Stable Kahn sort: keeps file order when the file is already topologically sorted.
std::vector<Node> topo_sort(std::vector<Node> nodes, const ImportContext& ctx) {
  std::set<std::string> ready = {ctx.graph.input};
  for (const auto& kv : ctx.graph.initializers) ready.insert(kv.first);
  std::set<std::string> produced;
  for (const Node& n : nodes) produced.insert(n.outputs[0]);
  std::vector<Node> sorted;
  std::vector<bool> done(nodes.size(), false);
  while (sorted.size() < nodes.size()) {
    bool progress = false;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (done[i]) continue;
      bool can_run = true;
      for (const std::string& in : nodes[i].inputs) {
        if (ready.count(in)) continue;
        if (!produced.count(in)) {
          throw InputError("node '" + nodes[i].name + "' reads '" + in +
                           "', which is neither the graph input, an initializer nor a node output");
        }
        can_run = false;
      }
      if (!can_run) continue;
      ready.insert(nodes[i].outputs[0]);
      sorted.push_back(std::move(nodes[i]));
      done[i] = true;
      progress = true;
    }
    if (!progress) {
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (!done[i]) {
          throw InputError("the graph has a cycle through node '" + nodes[i].name + "'");
        }
      }
    }
  }
  return sorted;
}

Graph import_graph(const onnx::ModelProto& model) {
  const onnx::GraphProto& gp = model.graph();
  Graph g;
  g.name = gp.name();
  ImportContext ctx{g, {}, {}};
  std::set<std::string> init_names;
  for (const onnx::TensorProto& t : gp.initializer()) {
    init_names.insert(t.name());
    add_constant(t, t.name(), "initializer '" + t.name() + "'", ctx);
  }
  read_input(gp, init_names, g);
  if (gp.output_size() != 1) {
    throw UnsupportedError("the graph has " + std::to_string(gp.output_size()) +
                           " outputs; qarray needs exactly one");
  }
  g.output = gp.output(0).name();
  ctx.used.insert(g.output);
  for (const onnx::NodeProto& n : gp.node()) ctx.used.insert(n.input().begin(), n.input().end());

  // Node names are optional in ONNX; synthesize "<op>_<index>" so every message can name one.
  auto node_name = [&](int i) {
    const onnx::NodeProto& n = gp.node(i);
    return n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
  };
  for (int i = 0; i < gp.node_size(); ++i) {
    if (gp.node(i).op_type() == "Constant") fold_constant(gp.node(i), node_name(i), ctx);
  }
  std::vector<Node> nodes;
  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& n = gp.node(i);
    if (n.op_type() == "Constant" || fold_identity(n, ctx)) continue;
    nodes.push_back(convert_node(n, node_name(i), ctx));
  }
  if (nodes.empty()) throw InputError("the graph computes nothing (only constants)");
  g.nodes = topo_sort(std::move(nodes), ctx);
  infer_shapes(g);
  return g;
}

}  // namespace

Graph load_onnx(const std::string& path) {
  onnx::ModelProto model = read_model(path);  // names the file in its own messages
  try {
    return import_graph(model);
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(path + ": " + e.what());
  } catch (const InputError& e) {
    throw InputError(path + ": " + e.what());
  }
}

}  // namespace qarray
