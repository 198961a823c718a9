#include "sim/stimulus.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "base/errors.h"

namespace qarray {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

int64_t parse_int(const std::string& text, const std::string& where, const std::string& field) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw InputError(where + ": " + field + ": '" + text + "' is not an integer");
}

}  // namespace

void LayerSpec::validate(const std::string& where) const {
  auto check = [&](bool ok, const std::string& field, int64_t v) {
    if (!ok) throw InputError(where + ": " + field + ": " + std::to_string(v) + " must be positive");
  };
  check(ifmap_h > 0, "ifmap height", ifmap_h);
  check(ifmap_w > 0, "ifmap width", ifmap_w);
  check(filter_h > 0, "filter height", filter_h);
  check(filter_w > 0, "filter width", filter_w);
  check(channels > 0, "channels", channels);
  check(filters > 0, "number of filters", filters);
  check(stride > 0, "stride", stride);
  if (pad < 0) throw InputError(where + ": pad: " + std::to_string(pad) + " must not be negative");
  if (kind != LayerKind::Fc && (ifmap_h + 2 * pad < filter_h || ifmap_w + 2 * pad < filter_w))
    throw InputError(where + ": filter " + std::to_string(filter_h) + "x" + std::to_string(filter_w) +
                     " is larger than the padded ifmap");
  if (!(kind == LayerKind::Conv || kind == LayerKind::Depthwise || kind == LayerKind::Fc))
    throw InputError(where + ": kind must be conv, depthwise or fc");
}

std::vector<LayerSpec> load_topology_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open the topology file");
  std::vector<LayerSpec> specs;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(trim(cell));
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    if (cells.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    if (specs.empty() && cells.size() > 1 && !cells[1].empty() && !std::isdigit(static_cast<unsigned char>(cells[1][0])) &&
        cells[1][0] != '-')
      continue;  // header
    if (cells.size() != 8 && cells.size() != 9)
      throw InputError(where + ": expected 8 columns (name, ifmap height, ifmap width, filter height, filter "
                       "width, channels, number of filters, stride) and an optional kind, got " +
                       std::to_string(cells.size()));
    LayerSpec s;
    s.name = cells[0];
    s.ifmap_h = parse_int(cells[1], where, "ifmap height");
    s.ifmap_w = parse_int(cells[2], where, "ifmap width");
    s.filter_h = static_cast<int32_t>(parse_int(cells[3], where, "filter height"));
    s.filter_w = static_cast<int32_t>(parse_int(cells[4], where, "filter width"));
    s.channels = parse_int(cells[5], where, "channels");
    s.filters = parse_int(cells[6], where, "number of filters");
    s.stride = static_cast<int32_t>(parse_int(cells[7], where, "stride"));
    if (cells.size() == 9) {
      try {
        s.kind = parse_layer_kind(cells[8]);
      } catch (const InputError& e) {
        throw InputError(where + ": kind: " + e.what());
      }
    }
    s.validate(where);
    specs.push_back(s);
  }
  if (specs.empty()) throw InputError(path + ": no layers");
  return specs;
}

Network random_layer_network(const LayerSpec& spec, int weight_bits, int act_bits, int acc_bits, uint32_t seed) {
  spec.validate("layer '" + spec.name + "'");
  std::mt19937 rng(seed);
  const bool fc = spec.kind == LayerKind::Fc, dw = spec.kind == LayerKind::Depthwise;
  Network net;
  net.name = spec.name;
  net.acc_bits = acc_bits;
  const Shape in_shape = fc ? Shape{spec.channels * spec.ifmap_h * spec.ifmap_w}
                            : Shape{spec.channels, spec.ifmap_h, spec.ifmap_w};
  const int64_t oc = dw ? spec.channels : spec.filters;
  Layer l;
  l.kind = spec.kind;
  l.name = spec.name;
  l.inputs = {0};
  l.output = 1;
  l.weight_bits = weight_bits;
  l.window = {spec.filter_h, spec.filter_w, spec.stride, spec.stride, spec.pad, spec.pad, spec.pad, spec.pad};
  Shape out_shape{oc};
  if (fc) {
    l.weight_shape = {oc, in_shape[0]};
  } else {
    l.weight_shape = {oc, dw ? 1 : spec.channels, spec.filter_h, spec.filter_w};
    out_shape = {oc, window_out(spec.ifmap_h, spec.filter_h, spec.stride, spec.pad, spec.pad),
                 window_out(spec.ifmap_w, spec.filter_w, spec.stride, spec.pad, spec.pad)};
  }
  std::uniform_int_distribution<int32_t> zp(0, act_qmax(act_bits));
  net.tensors.push_back({"input", in_shape, {0.05, zp(rng), act_bits}});
  net.tensors.push_back({"output", out_shape, {0.1, zp(rng), act_bits}});
  net.input = 0;
  net.output = 1;

  std::uniform_int_distribution<int32_t> wq(-weight_qmax(weight_bits), weight_qmax(weight_bits));
  l.weights.resize(static_cast<size_t>(num_elements(l.weight_shape)));
  for (auto& w : l.weights) w = wq(rng);
  // Scale so the outputs spread over the grid: a sum of K products of uniform operands has a
  // standard deviation near sqrt(K) * qmax_w * qmax_a / 3.
  const int64_t k = static_cast<int64_t>(l.weights.size()) / oc;
  const double sigma = std::sqrt(static_cast<double>(k)) * weight_qmax(weight_bits) * act_qmax(act_bits) / 3.0;
  const double m = act_qmax(act_bits) / (6.0 * std::max(sigma, 1.0));
  const int32_t zx = net.tensors[0].quant.zero_point;
  std::normal_distribution<double> noise(0.0, sigma);
  for (int64_t o = 0; o < oc; ++o) {
    int64_t wsum = 0;
    for (int64_t j = 0; j < k; ++j) wsum += l.weights[o * k + j];
    const int64_t b = std::llround(noise(rng)) - int64_t{zx} * wsum;  // the folded bias'
    l.bias.push_back(static_cast<int32_t>(std::clamp<int64_t>(b, INT32_MIN, INT32_MAX)));
  }
  l.requant = {quantize_multiplier(m)};
  l.weight_scale = {0.01};
  l.clamp_lo = 0;
  l.clamp_hi = act_qmax(act_bits);
  net.layers.push_back(l);
  net.validate("layer '" + spec.name + "'");
  return net;
}

IntTensor random_input(const Network& net, int64_t images, uint32_t seed) {
  const ActTensor& in = net.tensors[net.input];
  Shape s{images};
  s.insert(s.end(), in.shape.begin(), in.shape.end());
  IntTensor x(s);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> v(0, act_qmax(in.quant.bits));
  for (auto& e : x.data) e = v(rng);
  return x;
}

}  // namespace qarray
