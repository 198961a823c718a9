// Constant folding at import: Constant nodes, and the shape-computation chains exporters emit
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Range, ConstantOfShape, Cast, arithmetic
// on constants, a Transpose of a weight) evaluated once into initializers or integer constants.
// The batch size is not known at import: Shape(x)[0] is carried as 1 with a mark (IntConst::batch)
// so that only a Reshape that keeps the batch may use it.
#include <algorithm>
#include <cmath>
#include <map>
#include <cstdint>

#include "models/onnx_import.h"
#include "models/onnx_tensor.h"

namespace qarray {
namespace {

// A constant during folding: integers (with batch marks) or floats.
struct CVal {
  bool is_int = true;
  int32_t type = onnx::TensorProto::INT64;
  Shape shape;
  std::vector<int64_t> i;
  std::vector<double> f;
  std::vector<uint8_t> batch;  // per element (integers only), empty = none

  size_t size() const { return is_int ? i.size() : f.size(); }
  uint8_t mark(size_t k) const { return batch.empty() ? 0 : batch[k]; }
  double num(size_t k) const { return is_int ? static_cast<double>(i[k]) : f[k]; }
  bool depends_on_batch_any() const {
    for (uint8_t b : batch)
      if (b) return true;
    return false;
  }
};

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t attr_i(const onnx::NodeProto& n, const char* name, int64_t def) {
  const auto* a = attr(n, name);
  return a ? a->i() : def;
}

bool get(const ImportContext& ctx, const std::string& name, CVal& out) {
  if (auto it = ctx.ints.find(name); it != ctx.ints.end()) {
    out = CVal{};
    out.is_int = true;
    out.type = it->second.type;
    out.shape = it->second.shape;
    out.i = it->second.v;
    out.batch = it->second.batch;
    return true;
  }
  if (ctx.graph.is_init(name)) {
    const Tensor& t = ctx.graph.init(name);
    out = CVal{};
    out.is_int = false;
    out.type = onnx::TensorProto::FLOAT;
    out.shape = t.shape;
    out.f.assign(t.data.begin(), t.data.end());
    return true;
  }
  return false;
}

void put(ImportContext& ctx, const std::string& name, CVal v) {
  if (v.is_int) {
    bool any = false;
    for (uint8_t b : v.batch) any = any || b;
    if (!any) v.batch.clear();
    ctx.ints[name] = {v.shape, std::move(v.i), std::move(v.batch), v.type};
  } else {
    Tensor t(v.shape);
    for (size_t k = 0; k < v.f.size(); ++k) t.data[k] = static_cast<float>(v.f[k]);
    ctx.graph.initializers[name] = std::move(t);
  }
}

CVal from_tensor(const onnx::TensorProto& t, const std::string& where) {
  CVal v;
  v.shape.assign(t.dims().begin(), t.dims().end());
  if (is_integer_type(t.data_type())) {
    v.is_int = true;
    v.type = t.data_type();
    v.i = integer_values(t, where);
  } else {
    const Tensor f = float_tensor(t, where);
    v.is_int = false;
    v.type = onnx::TensorProto::FLOAT;
    v.f.assign(f.data.begin(), f.data.end());
  }
  return v;
}

// Folded constants are small (shape computations, weights); a shape that is not is a malformed
// model, refused before anything is allocated.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;
void check_fold_shape(const Shape& s, const std::string& where) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0 || d > kMaxFoldedElements) throw InputError(where + ": dimension " + std::to_string(d) + " of a folded constant");
    n *= d;
    if (n > kMaxFoldedElements) throw InputError(where + ": a folded constant of more than 2^24 elements");
  }
}

std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int64_t k = static_cast<int64_t>(s.size()) - 2; k >= 0; --k) st[k] = st[k + 1] * s[k + 1];
  return st;
}

// Element `src` of `from` copied to element `dst` of `to`.
void copy_elem(const CVal& from, size_t src, CVal& to, size_t dst) {
  if (from.is_int) {
    to.i[dst] = from.i[src];
    if (!from.batch.empty()) to.batch[dst] = from.batch[src];
  } else {
    to.f[dst] = from.f[src];
  }
}

CVal like(const CVal& v, Shape shape) {
  CVal o;
  o.is_int = v.is_int;
  o.type = v.type;
  o.shape = std::move(shape);
  const int64_t n = num_elements(o.shape);
  if (o.is_int) {
    o.i.assign(n, 0);
    if (!v.batch.empty()) o.batch.assign(n, 0);
  } else {
    o.f.assign(n, 0.0);
  }
  return o;
}

int64_t norm_axis(int64_t a, size_t rank, const std::string& where) {
  const int64_t r = static_cast<int64_t>(rank);
  if (a < -r || a >= r) throw InputError(where + ": axis " + std::to_string(a) + " out of range for rank " + std::to_string(r));
  return a < 0 ? a + r : a;
}

CVal gather(const CVal& data, const CVal& idx, int64_t axis, const std::string& where) {
  axis = norm_axis(axis, data.shape.size(), where);
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  CVal o = like(data, out);
  const int64_t outer = num_elements(Shape(data.shape.begin(), data.shape.begin() + axis));
  const int64_t inner = num_elements(Shape(data.shape.begin() + axis + 1, data.shape.end()));
  const int64_t dim = data.shape[axis];
  size_t dst = 0;
  for (int64_t a = 0; a < outer; ++a)
    for (size_t k = 0; k < idx.i.size(); ++k) {
      int64_t j = idx.i[k] < 0 ? idx.i[k] + dim : idx.i[k];
      if (j < 0 || j >= dim) throw InputError(where + ": index " + std::to_string(idx.i[k]) + " out of range");
      for (int64_t b = 0; b < inner; ++b) copy_elem(data, (a * dim + j) * inner + b, o, dst++);
    }
  return o;
}

CVal concat(const std::vector<CVal>& parts, int64_t axis, const std::string& where) {
  axis = norm_axis(axis, parts[0].shape.size(), where);
  Shape out = parts[0].shape;
  out[axis] = 0;
  for (const CVal& p : parts) {
    if (p.shape.size() != out.size() || p.is_int != parts[0].is_int) throw InputError(where + ": inputs differ in rank or type");
    out[axis] += p.shape[axis];
  }
  CVal o = like(parts[0], out);
  for (const CVal& p : parts)
    if (!p.batch.empty() && o.batch.empty()) o.batch.assign(o.size(), 0);
  const int64_t outer = num_elements(Shape(out.begin(), out.begin() + axis));
  size_t dst = 0;
  for (int64_t a = 0; a < outer; ++a)
    for (const CVal& p : parts) {
      const int64_t chunk = num_elements(Shape(p.shape.begin() + axis, p.shape.end()));
      for (int64_t b = 0; b < chunk; ++b) {
        if (p.is_int) {
          o.i[dst] = p.i[a * chunk + b];
          if (!o.batch.empty()) o.batch[dst] = p.mark(a * chunk + b);
        } else {
          o.f[dst] = p.f[a * chunk + b];
        }
        ++dst;
      }
    }
  return o;
}

// ONNX Slice on a constant: starts/ends clamped per axis, any step but 0.
CVal slice(const CVal& data, std::vector<int64_t> starts, std::vector<int64_t> ends, std::vector<int64_t> axes,
           std::vector<int64_t> steps, const std::string& where) {
  const size_t r = data.shape.size();
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw InputError(where + ": starts, ends, axes and steps differ in length");
  std::vector<int64_t> b(r, 0), st(r, 1), len(data.shape.begin(), data.shape.end());
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t a = norm_axis(axes[k], r, where), d = data.shape[a];
    if (steps[k] == 0 || steps[k] > (int64_t{1} << 31) || steps[k] < -(int64_t{1} << 31))
      throw InputError(where + ": step " + std::to_string(steps[k]) + " is out of range");
    int64_t s = starts[k] < 0 ? starts[k] + d : starts[k];
    int64_t e = ends[k] < 0 ? ends[k] + d : ends[k];
    if (steps[k] > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      len[a] = e > s ? (e - s + steps[k] - 1) / steps[k] : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      len[a] = s > e ? (s - e - steps[k] - 1) / -steps[k] : 0;
    }
    b[a] = s;
    st[a] = steps[k];
  }
  CVal o = like(data, len);
  const std::vector<int64_t> in_st = strides_of(data.shape), out_st = strides_of(len);
  for (size_t dst = 0; dst < o.size(); ++dst) {
    int64_t src = 0;
    for (size_t a = 0; a < r; ++a) src += (b[a] + (static_cast<int64_t>(dst) / out_st[a] % len[a]) * st[a]) * in_st[a];
    copy_elem(data, src, o, dst);
  }
  return o;
}

CVal transpose(const CVal& data, std::vector<int64_t> perm, const std::string& where) {
  const size_t r = data.shape.size();
  if (perm.empty())
    for (size_t k = 0; k < r; ++k) perm.push_back(static_cast<int64_t>(r - 1 - k));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 0; k < sorted.size(); ++k)
    if (sorted.size() != r || sorted[k] != static_cast<int64_t>(k)) throw InputError(where + ": perm is not a permutation of the axes");
  Shape out(r);
  for (size_t k = 0; k < r; ++k) out[k] = data.shape.at(perm[k]);
  CVal o = like(data, out);
  const std::vector<int64_t> in_st = strides_of(data.shape), out_st = strides_of(out);
  for (size_t dst = 0; dst < o.size(); ++dst) {
    int64_t src = 0;
    for (size_t k = 0; k < r; ++k) src += (static_cast<int64_t>(dst) / out_st[k] % out[k]) * in_st[perm[k]];
    copy_elem(data, src, o, dst);
  }
  return o;
}

CVal binary(const std::string& op, const CVal& a, const CVal& b, const std::string& where) {
  const Shape out = broadcast_shapes(a.shape, b.shape, where);
  check_fold_shape(out, where);
  const bool is_int = a.is_int && b.is_int;
  CVal o = like(is_int ? a : (a.is_int ? b : a), out);
  if (is_int && (!a.batch.empty() || !b.batch.empty())) o.batch.assign(o.size(), 0);
  const std::vector<int64_t> st = strides_of(out);
  auto index = [&](const CVal& v, size_t k) {
    int64_t src = 0, stride = 1;
    for (int64_t d = static_cast<int64_t>(v.shape.size()) - 1, od = static_cast<int64_t>(out.size()) - 1; d >= 0; --d, --od) {
      const int64_t coord = static_cast<int64_t>(k) / st[od] % out[od];
      src += (v.shape[d] == 1 ? 0 : coord) * stride;
      stride *= v.shape[d];
    }
    return static_cast<size_t>(src);
  };
  for (size_t k = 0; k < o.size(); ++k) {
    const size_t ia = index(a, k), ib = index(b, k);
    if (is_int) {
      const int64_t x = a.i[ia], y = b.i[ib];
      if (op == "Div" && (y == 0 || (y == -1 && x == INT64_MIN))) throw InputError(where + ": integer division by zero or overflow");
      int64_t r = 0;
      const bool overflow = op == "Add"   ? __builtin_add_overflow(x, y, &r)
                            : op == "Sub" ? __builtin_sub_overflow(x, y, &r)
                            : op == "Mul" ? __builtin_mul_overflow(x, y, &r)
                                          : (r = x / y, false);
      if (overflow) throw InputError(where + ": integer overflow");
      o.i[k] = r;
      if (!o.batch.empty()) o.batch[k] = (a.mark(ia) || b.mark(ib)) ? 2 : 0;
    } else {
      const double x = a.num(ia), y = b.num(ib);
      o.f[k] = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
    }
  }
  return o;
}

CVal cast(const CVal& v, int32_t to, const std::string& where) {
  CVal o = v;
  if (is_integer_type(to)) {
    if (!v.is_int) {
      o.is_int = true;
      o.i.resize(v.f.size());
      for (size_t k = 0; k < v.f.size(); ++k) {
        if (!(std::fabs(v.f[k]) < 9.2e18)) throw UnsupportedError(where + ": Cast of " + std::to_string(v.f[k]) + " to an integer");
        o.i[k] = static_cast<int64_t>(v.f[k]);
      }
      o.f.clear();
    }
    if (to == onnx::TensorProto::BOOL)
      for (int64_t& x : o.i) x = x != 0;
    o.type = to;
  } else if (to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE) {
    if (v.depends_on_batch_any()) throw UnsupportedError(where + ": a float computed from the batch size");
    if (v.is_int) {
      o.is_int = false;
      o.f.assign(v.i.begin(), v.i.end());
      o.i.clear();
      o.batch.clear();
    }
    o.type = onnx::TensorProto::FLOAT;
  } else {
    throw UnsupportedError(where + ": Cast to " + data_type_name(to) + " is not supported");
  }
  return o;
}

std::vector<int64_t> ints_of(const CVal& v) {
  if (v.is_int) return v.i;
  std::vector<int64_t> o;
  for (double x : v.f) o.push_back(std::fabs(x) < 9.2e18 ? static_cast<int64_t>(x) : 0);
  return o;
}

}  // namespace

bool fold_constant_node(const onnx::NodeProto& n, const std::string& name, ImportContext& ctx) {
  const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
  if (!default_domain || n.output_size() < 1) return false;
  const std::string& op = n.op_type();
  const std::string where = op + " at node '" + name + "'";
  if (op == "Constant") {
    if (n.output_size() != 1 || n.attribute_size() != 1)
      throw InputError("Constant at node '" + name + "': expected one output and one value attribute");
    const onnx::AttributeProto& a = n.attribute(0);
    CVal v;
    if (a.name() == "value") {
      v = from_tensor(a.t(), where);
    } else if (a.name() == "value_float" || a.name() == "value_floats") {
      v.is_int = false;
      v.type = onnx::TensorProto::FLOAT;
      if (a.name() == "value_float") v.f = {a.f()};
      else v.f.assign(a.floats().begin(), a.floats().end());
      if (a.name() == "value_floats") v.shape = {static_cast<int64_t>(v.f.size())};
    } else if (a.name() == "value_int" || a.name() == "value_ints") {
      if (a.name() == "value_int") v.i = {a.i()};
      else v.i.assign(a.ints().begin(), a.ints().end());
      if (a.name() == "value_ints") v.shape = {static_cast<int64_t>(v.i.size())};
    } else {
      throw UnsupportedError(where + ": attribute '" + a.name() + "' is not supported");
    }
    put(ctx, n.output(0), std::move(v));
    return true;
  }
  // Shape and Size read only the shape of their input, which may be an activation.
  if (op == "Shape" || op == "Size") {
    if (n.input_size() != 1) return false;
    CVal src;
    Shape full;
    std::vector<uint8_t> marks;
    if (get(ctx, n.input(0), src)) {
      full = src.shape;
      marks.assign(full.size(), 0);
    } else {
      const auto it = ctx.graph.shapes.find(n.input(0));
      if (it == ctx.graph.shapes.end()) return false;
      full = it->second;
      marks.assign(full.size(), 0);
      if (!ctx.graph.whole_tensors) {
        full.insert(full.begin(), 1);  // the batch, marked
        marks.insert(marks.begin(), 1);
      }
    }
    CVal o;
    if (op == "Size") {
      o.i = {num_elements(full)};
      o.batch = {static_cast<uint8_t>(marks.empty() || !marks[0] ? 0 : 2)};
    } else {
      const int64_t r = static_cast<int64_t>(full.size());
      int64_t s = attr_i(n, "start", 0), e = attr_i(n, "end", r);
      s = std::clamp<int64_t>(s < 0 ? s + r : s, 0, r);
      e = std::clamp<int64_t>(e < 0 ? e + r : e, 0, r);
      for (int64_t k = s; k < e; ++k) {
        o.i.push_back(full[k]);
        o.batch.push_back(marks[k]);
      }
      o.shape = {static_cast<int64_t>(o.i.size())};
    }
    put(ctx, n.output(0), std::move(o));
    return true;
  }
  static const std::set<std::string> kFoldable = {"Identity", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast",
                                                  "Slice", "Range", "ConstantOfShape", "Reshape", "Transpose",
                                                  "Add", "Sub", "Mul", "Div", "Neg", "Flatten"};
  if (!kFoldable.count(op)) return false;
  std::vector<CVal> in(n.input_size());
  for (int k = 0; k < n.input_size(); ++k) {
    if (n.input(k).empty()) continue;
    if (!get(ctx, n.input(k), in[k])) return false;  // computes from an activation: an IR node
  }
  if (n.input_size() == 0) return false;
  static const std::map<std::string, int> kInputs = {{"Gather", 2}, {"Range", 3}, {"Reshape", 2}, {"Add", 2},
                                                     {"Sub", 2}, {"Mul", 2}, {"Div", 2}};
  if (const auto it = kInputs.find(op); it != kInputs.end() && n.input_size() != it->second)
    throw InputError(where + ": expected " + std::to_string(it->second) + " inputs");
  if (op == "Range")
    for (const CVal& v : in)
      if (v.size() != 1) throw InputError(where + ": start, limit and delta must be scalars");
  if (op == "ConstantOfShape" && !in[0].is_int) throw InputError(where + ": the shape must be integers");
  auto axes_of = [&](int input) {  // opset 13 moved axes from an attribute to an input
    if (const auto* a = attr(n, "axes")) return std::vector<int64_t>(a->ints().begin(), a->ints().end());
    return n.input_size() > input && !n.input(input).empty() ? ints_of(in[input]) : std::vector<int64_t>{};
  };
  CVal out;
  if (op == "Identity") {
    out = in[0];
  } else if (op == "Gather") {
    if (!in[1].is_int) throw InputError(where + ": indices must be integers");
    out = gather(in[0], in[1], attr_i(n, "axis", 0), where);
  } else if (op == "Unsqueeze") {
    out = in[0];
    std::vector<int64_t> axes = axes_of(1);
    const int64_t r = static_cast<int64_t>(in[0].shape.size() + axes.size());
    for (int64_t& a : axes) a = a < 0 ? a + r : a;
    std::sort(axes.begin(), axes.end());
    for (int64_t a : axes) {
      if (a < 0 || a > static_cast<int64_t>(out.shape.size())) throw InputError(where + ": axis out of range");
      out.shape.insert(out.shape.begin() + a, 1);
    }
  } else if (op == "Squeeze") {
    out = in[0];
    std::vector<int64_t> axes = axes_of(1);
    Shape s;
    for (size_t d = 0; d < in[0].shape.size(); ++d) {
      bool drop = axes.empty() ? in[0].shape[d] == 1 : false;
      for (int64_t a : axes) drop = drop || norm_axis(a, in[0].shape.size(), where) == static_cast<int64_t>(d);
      if (!drop) s.push_back(in[0].shape[d]);
    }
    out.shape = s;
  } else if (op == "Concat") {
    std::vector<CVal> parts;
    for (const CVal& v : in) parts.push_back(v);
    out = concat(parts, attr_i(n, "axis", 0), where);
  } else if (op == "Cast") {
    out = cast(in[0], static_cast<int32_t>(attr_i(n, "to", onnx::TensorProto::FLOAT)), where);
  } else if (op == "Slice") {
    if (ctx.opset < 10) {
      auto ints = [&](const char* k) {
        const auto* a = attr(n, k);
        return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
      };
      out = slice(in[0], ints("starts"), ints("ends"), ints("axes"), {}, where);
    } else {
      auto opt = [&](int k) { return n.input_size() > k && !n.input(k).empty() ? ints_of(in[k]) : std::vector<int64_t>{}; };
      out = slice(in[0], opt(1), opt(2), opt(3), opt(4), where);
    }
  } else if (op == "Range") {
    if (in.size() != 3) throw InputError(where + ": expected start, limit, delta");
    out = like(in[0], {});
    const double s = in[0].num(0), l = in[1].num(0), d = in[2].num(0);
    if (d == 0) throw InputError(where + ": delta 0");
    const double steps = std::ceil((l - s) / d);
    if (!(steps <= static_cast<double>(kMaxFoldedElements))) throw InputError(where + ": more than 2^24 elements");
    const int64_t count = std::max<int64_t>(0, static_cast<int64_t>(steps));
    out.shape = {count};
    out.batch.clear();
    for (int64_t k = 0; k < count; ++k) {
      int64_t v = 0;
      if (out.is_int && (__builtin_mul_overflow(k, in[2].i[0], &v) || __builtin_add_overflow(in[0].i[0], v, &v)))
        throw InputError(where + ": integer overflow");
      if (out.is_int) out.i.push_back(v);
      else out.f.push_back(s + k * d);
    }
    out.is_int ? out.i.shrink_to_fit() : out.f.shrink_to_fit();
    if (out.is_int) out.i.erase(out.i.begin(), out.i.end() - count);
    else out.f.erase(out.f.begin(), out.f.end() - count);
  } else if (op == "ConstantOfShape") {
    if (in[0].depends_on_batch_any())
      throw UnsupportedError(where + ": a shape computed from the batch size is not supported");
    CVal value;
    value.is_int = false;
    value.f = {0.0};
    if (const auto* a = attr(n, "value")) value = from_tensor(a->t(), where);
    check_fold_shape(Shape(in[0].i.begin(), in[0].i.end()), where);
    out = like(value, Shape(in[0].i.begin(), in[0].i.end()));
    for (size_t k = 0; k < out.size(); ++k) copy_elem(value, 0, out, k);
  } else if (op == "Reshape" || op == "Flatten") {
    out = in[0];
    if (op == "Flatten") {
      const int64_t ax = norm_axis(attr_i(n, "axis", 1), in[0].shape.size() + 1, where);
      out.shape = {num_elements(Shape(in[0].shape.begin(), in[0].shape.begin() + ax)),
                   num_elements(Shape(in[0].shape.begin() + ax, in[0].shape.end()))};
    } else {
      if (in[1].depends_on_batch_any()) return false;  // resolved on the node
      Shape t = ints_of(in[1]);
      for (int64_t d : t)
        if (d < -1 || d > kMaxFoldedElements) throw InputError(where + ": target dimension " + std::to_string(d));
      int64_t known = 1, infer = -1;
      for (size_t k = 0; k < t.size(); ++k) {
        if (t[k] == 0 && attr_i(n, "allowzero", 0) == 0) {
          if (k >= in[0].shape.size()) throw InputError(where + ": target copies a missing dimension");
          t[k] = in[0].shape[k];
        }
        if (t[k] == -1) infer = static_cast<int64_t>(k);
        else known *= t[k];
      }
      if (infer >= 0) t[infer] = known ? static_cast<int64_t>(out.size()) / known : 0;
      if (num_elements(t) != static_cast<int64_t>(out.size())) throw InputError(where + ": cannot reshape " + shape_str(in[0].shape) + " to " + shape_str(t));
      out.shape = t;
    }
  } else if (op == "Transpose") {
    const auto* a = attr(n, "perm");
    out = transpose(in[0], a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{}, where);
  } else if (op == "Neg") {
    out = in[0];
    for (auto& x : out.i) {
      if (x == INT64_MIN) throw InputError(where + ": integer overflow");
      x = -x;
    }
    for (auto& x : out.f) x = -x;
    for (auto& b : out.batch) b = b ? 2 : 0;
  } else {
    out = binary(op, in[0], in[1], where);
  }
  put(ctx, n.output(0), std::move(out));
  return true;
}

}  // namespace qarray
