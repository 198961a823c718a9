// ONNX import: reads the ModelProto, decodes initializers, finds the graph inputs and the single
// output, sorts the nodes topologically, then per node folds constants (onnx_fold.cpp) or
// translates it (onnx_ops.cpp) and infers its output shape. Every unsupported op and attribute
// is collected and reported together.
#include "models/onnx_loader.h"

#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>

#include "base/errors.h"
#include "models/onnx_import.h"
#include "models/onnx_tensor.h"

namespace qarray {

bool IntConst::depends_on_batch() const {
  for (uint8_t b : batch)
    if (b) return true;
  return false;
}

int64_t ImportContext::axis(int64_t a, size_t rank, const std::string& what) const {
  const int64_t offset = graph.whole_tensors ? 0 : 1;
  const int64_t full = static_cast<int64_t>(rank) + offset;
  const int64_t norm = a < 0 ? a + full : a;
  if (norm < 0 || norm >= full)
    throw InputError(what + ": axis " + std::to_string(a) + " is out of range for rank " + std::to_string(full));
  if (norm < offset) throw BatchAxisError(what + ": axis " + std::to_string(a) + " is the batch axis");
  return norm - offset;
}

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

// Stores a FLOAT tensor as an initializer and an integer/BOOL tensor as an integer constant.
void add_constant(const onnx::TensorProto& t, const std::string& name, const std::string& where,
                  ImportContext& ctx) {
  if (is_integer_type(t.data_type())) {
    IntConst c;
    c.shape.assign(t.dims().begin(), t.dims().end());
    c.v = integer_values(t, where);
    c.type = t.data_type();
    ctx.ints[name] = std::move(c);
  } else {
    ctx.graph.initializers[name] = float_tensor(t, where);
  }
}

std::string dim_str(const onnx::TensorShapeProto::Dimension& d) {
  return d.has_dim_value() ? std::to_string(d.dim_value())
                           : (d.dim_param().empty() ? "?" : d.dim_param());
}

int64_t model_opset(const onnx::ModelProto& model) {
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  return 1;
}

// The graph inputs that are not initializers: FLOAT, every dim but the batch fixed (by the file
// or by --input-shape). Returns true when every dim, batch included, is fixed in the file.
bool read_inputs(const onnx::GraphProto& gp, const std::set<std::string>& init_names, const ImportOptions& opt,
                 Graph& g, std::vector<std::string>& errors) {
  bool all_fixed = true;
  bool first = true;
  for (const onnx::ValueInfoProto& vi : gp.input()) {
    if (init_names.count(vi.name())) continue;  // a weight listed as a graph input too
    const auto& type = vi.type().tensor_type();
    if (type.elem_type() != onnx::TensorProto::FLOAT) {
      errors.push_back("graph input '" + vi.name() + "' has element type " + data_type_name(type.elem_type()) +
                       ", expected FLOAT");
      continue;
    }
    Shape full;
    std::string dims, symbolic;
    for (const auto& d : type.shape().dim()) {
      dims += (dims.empty() ? "" : ",") + dim_str(d);
      full.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : -1);
    }
    const auto given = opt.input_shapes.find(vi.name());
    if (given != opt.input_shapes.end()) {
      if (given->second.size() != full.size())
        throw InputError("--input-shape " + vi.name() + "=" + shape_str(given->second) + " has rank " +
                         std::to_string(given->second.size()) + ", the model's input has shape [" + dims + "]");
      for (size_t i = 1; i < full.size(); ++i)
        if (full[i] > 0 && full[i] != given->second[i])
          throw InputError("--input-shape " + vi.name() + "=" + shape_str(given->second) + " disagrees with the model's fixed shape [" +
                           dims + "] at dim " + std::to_string(i));
      full = given->second;
    }
    if (!type.has_shape() || full.empty() || full.size() > 5) {
      errors.push_back("graph input '" + vi.name() + "' has shape [" + dims + "], expected rank 1 to 5");
      continue;
    }
    all_fixed = all_fixed && full[0] > 0;
    for (size_t i = 1; i < full.size(); ++i)
      if (full[i] <= 0) symbolic += (symbolic.empty() ? "" : ", ") + std::to_string(i);
    if (!symbolic.empty())
      throw InputError("graph input '" + vi.name() + "' has shape [" + dims + "] with symbolic dims (" + symbolic +
                       "); give its whole shape with --input-shape " + vi.name() + "=" +
                       [&] { std::string s; for (size_t i = 0; i < full.size(); ++i) s += (i ? "x" : "") + (full[i] > 0 ? std::to_string(full[i]) : std::string("D")); return s; }());
    const Shape per = g.whole_tensors ? full : Shape(full.begin() + 1, full.end());
    if (first) {
      g.input = vi.name();
      g.input_shape = per;
      first = false;
    } else {
      g.more_inputs.push_back({vi.name(), per});
    }
  }
  if (first && errors.empty()) throw InputError("the graph has no input besides its initializers");
  return all_fixed;
}

// Kahn sort of the file's nodes by value names (stable: keeps file order when already sorted).
std::vector<int> sorted_nodes(const onnx::GraphProto& gp, const std::set<std::string>& ready_values,
                              const std::function<std::string(int)>& node_name) {
  std::set<std::string> ready = ready_values;
  std::set<std::string> produced;
  for (const auto& n : gp.node()) produced.insert(n.output().begin(), n.output().end());
  std::vector<int> order;
  std::vector<bool> done(gp.node_size(), false);
  while (static_cast<int>(order.size()) < gp.node_size()) {
    bool progress = false;
    for (int i = 0; i < gp.node_size(); ++i) {
      if (done[i]) continue;
      bool can_run = true;
      for (const std::string& in : gp.node(i).input()) {
        if (in.empty() || ready.count(in)) continue;
        if (!produced.count(in))
          throw InputError("node '" + node_name(i) + "' reads '" + in +
                           "', which is neither the graph input, an initializer nor a node output");
        can_run = false;
      }
      if (!can_run) continue;
      ready.insert(gp.node(i).output().begin(), gp.node(i).output().end());
      order.push_back(i);
      done[i] = true;
      progress = true;
    }
    if (!progress)
      for (int i = 0; i < gp.node_size(); ++i)
        if (!done[i]) throw InputError("the graph has a cycle through node '" + node_name(i) + "'");
  }
  return order;
}

Graph import_graph(const onnx::ModelProto& model, const ImportOptions& opt, bool whole) {
  const onnx::GraphProto& gp = model.graph();
  Graph g;
  g.name = gp.name();
  g.whole_tensors = whole;
  ImportContext ctx{g, {}, {}, model_opset(model)};
  if (ctx.opset > 17)
    throw UnsupportedError("default-domain opset " + std::to_string(ctx.opset) + " is newer than 17, the newest supported");
  std::vector<std::string> errors;
  std::set<std::string> init_names;
  for (const onnx::TensorProto& t : gp.initializer()) {
    init_names.insert(t.name());
    add_constant(t, t.name(), "initializer '" + t.name() + "'", ctx);
  }
  for (const auto& [input, file] : opt.bound_inputs) {
    onnx::TensorProto t;
    std::ifstream in(file, std::ios::binary);
    if (!in || !t.ParseFromIstream(&in)) throw InputError("cannot read the TensorProto file '" + file + "' bound to '" + input + "'");
    init_names.insert(input);
    add_constant(t, input, "input '" + input + "' bound to '" + file + "'", ctx);
  }
  const bool all_fixed = read_inputs(gp, init_names, opt, g, errors);
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
  std::set<std::string> ready(init_names.begin(), init_names.end());
  for (const onnx::ValueInfoProto& vi : gp.input()) ready.insert(vi.name());
  std::set<std::string> broken;  // outputs of nodes that could not be taken
  if (!g.input.empty()) g.shapes[g.input] = g.input_shape;
  for (const GraphInput& in : g.more_inputs) g.shapes[in.name] = in.shape;
  for (const onnx::ValueInfoProto& vi : gp.input())
    if (!init_names.count(vi.name()) && !g.shapes.count(vi.name())) broken.insert(vi.name());
  bool batch_axis = false;
  for (int i : sorted_nodes(gp, ready, node_name)) {
    const onnx::NodeProto& n = gp.node(i);
    bool reads_broken = false;
    for (const std::string& in : n.input()) reads_broken = reads_broken || broken.count(in);
    try {
      if (reads_broken) {  // only its op can be checked: its inputs have no shape or value
        check_op_supported(n, node_name(i));
        broken.insert(n.output().begin(), n.output().end());
        continue;
      }
      if (fold_constant_node(n, node_name(i), ctx)) continue;
      for (Node& node : convert_node(n, node_name(i), ctx)) {
        if (g.shapes.count(node.outputs[0]) || g.is_init(node.outputs[0]))
          throw InputError("node '" + node.name + "' (" + op_name(node.op) + "): output '" + node.outputs[0] +
                           "' is already defined");
        g.shapes[node.outputs[0]] = infer_node_shape(g, node);
        g.nodes.push_back(std::move(node));
      }
    } catch (const BatchAxisError& e) {
      if (!whole && all_fixed) throw;  // retried with whole tensors
      batch_axis = true;
      errors.push_back(e.what());
      broken.insert(n.output().begin(), n.output().end());
    } catch (const UnsupportedError& e) {
      errors.push_back(e.what());
      broken.insert(n.output().begin(), n.output().end());
    }
  }
  if (!errors.empty()) {
    std::string joined;
    bool op_missing = false;
    for (const std::string& e : errors) {
      joined += (joined.empty() ? "" : "; ") + e;
      op_missing = op_missing || e.rfind("unsupported op", 0) == 0;
    }
    if (errors.size() > 1) joined = std::to_string(errors.size()) + " unsupported ops and attributes: " + joined;
    if (op_missing) joined += " (supported: " + supported_ops() + ")";
    if (batch_axis && !all_fixed) joined += "; a model that acts across the batch axis needs fixed input dims";
    throw UnsupportedError(joined);
  }
  if (g.nodes.empty()) throw InputError("the graph computes nothing (only constants)");
  if (!g.shapes.count(g.output)) {
    if (ctx.is_const(g.output)) throw UnsupportedError("graph output '" + g.output + "' is a constant");
    throw InputError("graph output '" + g.output + "' is not computed by any node");
  }
  return g;
}

}  // namespace

Graph load_onnx(const std::string& path, const ImportOptions& options) {
  onnx::ModelProto model = read_model(path);  // names the file in its own messages
  try {
    try {
      return import_graph(model, options, false);
    } catch (const BatchAxisError&) {
      // Fixed input shapes and an op across the batch axis: a sample is the whole tensor.
      return import_graph(model, options, true);
    }
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(path + ": " + e.what());
  } catch (const InputError& e) {
    throw InputError(path + ": " + e.what());
  }
}

std::pair<std::string, Shape> parse_input_shape(const std::string& text) {
  const size_t eq = text.rfind('=');
  const std::string bad = "--input-shape '" + text + "': expected NAME=D1xD2x... with positive dims, e.g. input=1x3x224x224";
  if (eq == std::string::npos || eq == 0 || eq + 1 >= text.size()) throw InputError(bad);
  Shape shape;
  std::stringstream dims(text.substr(eq + 1));
  for (std::string d; std::getline(dims, d, 'x');) {
    if (d.empty() || d.size() > 9 || d.find_first_not_of("0123456789") != std::string::npos) throw InputError(bad);
    shape.push_back(std::stoll(d));
    if (shape.back() <= 0) throw InputError(bad);
  }
  if (shape.empty() || shape.size() > 5 || text.back() == 'x') throw InputError(bad);
  return {text.substr(0, eq), shape};
}

}  // namespace qarray
