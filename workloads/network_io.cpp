// The on-disk workload format (network.json + tensors.bin): writer and checked reader.
#include "workloads/network_io.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "base/json_reader.h"

namespace qarray {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "qarray-workloads";
constexpr int kVersion = 1;

// Appends little-endian values of `bytes_per` bytes each; returns the blob descriptor.
json put_blob(std::string& bin, const std::vector<int32_t>& v, int bytes_per) {
  const size_t offset = bin.size();
  for (int32_t x : v)
    for (int b = 0; b < bytes_per; ++b) bin.push_back(static_cast<char>((static_cast<uint32_t>(x) >> (8 * b)) & 0xff));
  static const char* names[] = {"", "int8", "int16", "", "int32"};
  return {{"offset", offset}, {"count", v.size()}, {"dtype", names[bytes_per]}};
}

json mult_json(const QuantizedMultiplier& m) { return {{"m0", m.m0}, {"shift", m.shift}}; }

// Reading side: every access names the file and the key path.
struct Reader {
  std::string file;
  const std::string* bin = nullptr;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const { json_fail(file, key, what); }
  const json& at(const json& j, const std::string& key, const std::string& path) const {
    if (!j.is_object() || !j.contains(key)) fail(path + key, "missing");
    return j.at(key);
  }
  template <typename T>
  T get(const json& j, const std::string& key, const std::string& path) const {
    return convert<T>(at(j, key, path), path + key);
  }
  // Checked conversions (base/json_reader.h): an integer key takes only a JSON integer within
  // the C++ type's range (a float, or an integer too long for int64 that the parser made a float,
  // would be undefined behaviour in a plain get<T>()).
  template <typename T>
  T convert(const json& v, const std::string& key) const {
    if constexpr (std::is_same_v<T, bool>) {
      return json_boolean(v, file, key);
    } else if constexpr (std::is_integral_v<T>) {
      return json_integer<T>(v, file, key);
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(json_number(v, file, key));
    } else if constexpr (std::is_same_v<T, std::string>) {
      return json_string(v, file, key);
    } else {  // std::vector<E>
      json_list(v, file, key);
      T out;
      for (size_t i = 0; i < v.size(); ++i)
        out.push_back(convert<typename T::value_type>(v[i], key + "[" + std::to_string(i) + "]"));
      return out;
    }
  }
  std::vector<int32_t> blob(const json& j, const std::string& key, const std::string& path) const {
    const json& b = at(j, key, path);
    const std::string p = path + key + ".";
    const auto offset = get<uint64_t>(b, "offset", p);
    const auto count = get<uint64_t>(b, "count", p);
    const auto dtype = get<std::string>(b, "dtype", p);
    const int width = dtype == "int8" ? 1 : dtype == "int16" ? 2 : dtype == "int32" ? 4 : 0;
    if (width == 0) fail(p + "dtype", "'" + dtype + "' is not int8, int16 or int32");
    if (offset > bin->size() || count > (bin->size() - offset) / width)
      fail(path + key, "blob [" + std::to_string(offset) + ", +" + std::to_string(count * width) +
                           " bytes) runs past the end of the data file (" + std::to_string(bin->size()) + " bytes)");
    std::vector<int32_t> v(count);
    const unsigned char* src = reinterpret_cast<const unsigned char*>(bin->data()) + offset;
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t u = 0;
      for (int b = 0; b < width; ++b) u |= static_cast<uint32_t>(src[i * width + b]) << (8 * b);
      const int shift = 32 - 8 * width;  // sign-extend
      v[i] = static_cast<int32_t>(u << shift) >> shift;
    }
    return v;
  }
  QuantizedMultiplier mult(const json& j, const std::string& path) const {
    return {get<int32_t>(j, "m0", path), get<int32_t>(j, "shift", path)};
  }
};

void read_window(const Reader& r, const json& jl, const std::string& p, Window& w) {
  const auto k = r.get<std::vector<int32_t>>(jl, "kernel", p);
  const auto s = r.get<std::vector<int32_t>>(jl, "stride", p);
  const auto pads = r.get<std::vector<int32_t>>(jl, "pads", p);
  if (k.size() != 2) r.fail(p + "kernel", "needs 2 values");
  if (s.size() != 2) r.fail(p + "stride", "needs 2 values");
  if (pads.size() != 4) r.fail(p + "pads", "needs 4 values");
  w = {k[0], k[1], s[0], s[1], pads[0], pads[1], pads[2], pads[3]};
}

bool has_window(LayerKind k) {
  return k == LayerKind::Conv || k == LayerKind::Depthwise || k == LayerKind::MaxPool || k == LayerKind::AvgPool;
}
bool has_requant(LayerKind k) { return k != LayerKind::MaxPool && k != LayerKind::AvgPool && k != LayerKind::Lut; }

}  // namespace

void save_network(const Network& net, const std::string& dir) {
  net.validate("network '" + net.name + "'");
  std::string bin;
  json j = {{"format", kFormat}, {"version", kVersion}, {"name", net.name},
            {"acc_bits", net.acc_bits}, {"input", net.input}, {"output", net.output},
            {"data_file", "tensors.bin"}};
  for (const ActTensor& t : net.tensors)
    j["tensors"].push_back({{"name", t.name}, {"shape", t.shape}, {"scale", t.quant.scale},
                            {"zero_point", t.quant.zero_point}, {"bits", t.quant.bits}});
  for (const Layer& l : net.layers) {
    json jl = {{"name", l.name}, {"kind", layer_kind_name(l.kind)}, {"inputs", l.inputs},
               {"output", l.output}, {"clamp", {l.clamp_lo, l.clamp_hi}}};
    if (has_window(l.kind)) {
      const Window& w = l.window;
      jl["kernel"] = {w.kh, w.kw};
      jl["stride"] = {w.stride_h, w.stride_w};
      jl["pads"] = {w.pad_top, w.pad_left, w.pad_bottom, w.pad_right};
    }
    if (l.on_array()) {
      jl["weight_bits"] = l.weight_bits;
      jl["weight_shape"] = l.weight_shape;
      jl["weight_scale"] = l.weight_scale;
      jl["weights"] = put_blob(bin, l.weights, l.weight_bits <= 8 ? 1 : 2);
      jl["bias"] = put_blob(bin, l.bias, 4);
    }
    if (has_requant(l.kind)) {
      for (const auto& m : l.requant) {
        jl["requant"]["m0"].push_back(m.m0);
        jl["requant"]["shift"].push_back(m.shift);
      }
    }
    if (l.kind == LayerKind::Add) {
      jl["add_left_shift"] = l.add_left_shift;
      jl["input_mult"] = {mult_json(l.add_input_mult[0]), mult_json(l.add_input_mult[1])};
    }
    if (l.kind == LayerKind::AvgPool) jl["count_include_pad"] = l.count_include_pad;
    if (l.kind == LayerKind::Lut) {
      jl["lut_shift"] = l.lut_shift;
      jl["table"] = put_blob(bin, l.table, 4);
    }
    if (l.kind == LayerKind::Concat) jl["concat_axis"] = l.concat_axis;
    j["layers"].push_back(jl);
  }
  fs::create_directories(dir);
  write_file_atomic((fs::path(dir) / "tensors.bin").string(), bin);
  write_file_atomic((fs::path(dir) / "network.json").string(), j.dump(1));
}

Network load_network(const std::string& dir) {
  const fs::path json_path = fs::path(dir) / "network.json";
  std::ifstream jf(json_path);
  if (!jf) throw InputError("cannot open workload descriptor '" + json_path.string() + "'");
  json j;
  try {
    j = json::parse(jf);
  } catch (const json::exception& e) {
    throw InputError(json_path.string() + ": malformed JSON (" + std::string(e.what()) + ")");
  }
  Reader r{json_path.string()};
  if (r.get<std::string>(j, "format", "") != kFormat)
    r.fail("format", std::string("is not '") + kFormat + "'");
  if (r.get<int>(j, "version", "") != kVersion)
    r.fail("version", "unsupported (this build reads version " + std::to_string(kVersion) + ")");
  const fs::path bin_path = fs::path(dir) / r.get<std::string>(j, "data_file", "");
  std::ifstream bf(bin_path, std::ios::binary);
  if (!bf) throw InputError("cannot open workload data file '" + bin_path.string() + "'");
  const std::string bin((std::istreambuf_iterator<char>(bf)), std::istreambuf_iterator<char>());
  r.bin = &bin;

  Network net;
  net.name = r.get<std::string>(j, "name", "");
  net.acc_bits = r.get<int32_t>(j, "acc_bits", "");
  net.input = r.get<int32_t>(j, "input", "");
  net.output = r.get<int32_t>(j, "output", "");
  const json& jt = r.at(j, "tensors", "");
  if (!jt.is_array()) r.fail("tensors", "must be an array");
  for (size_t i = 0; i < jt.size(); ++i) {
    const std::string p = "tensors[" + std::to_string(i) + "].";
    ActTensor t;
    t.name = r.get<std::string>(jt[i], "name", p);
    t.shape = r.get<Shape>(jt[i], "shape", p);
    t.quant.scale = r.get<double>(jt[i], "scale", p);
    t.quant.zero_point = r.get<int32_t>(jt[i], "zero_point", p);
    t.quant.bits = r.get<int>(jt[i], "bits", p);
    net.tensors.push_back(std::move(t));
  }
  const json& jls = r.at(j, "layers", "");
  if (!jls.is_array()) r.fail("layers", "must be an array");
  for (size_t i = 0; i < jls.size(); ++i) {
    const json& jl = jls[i];
    const std::string p = "layers[" + std::to_string(i) + "].";
    Layer l;
    l.name = r.get<std::string>(jl, "name", p);
    try {
      l.kind = parse_layer_kind(r.get<std::string>(jl, "kind", p));
    } catch (const InputError& e) {
      r.fail(p + "kind", e.what());
    }
    l.inputs = r.get<std::vector<int32_t>>(jl, "inputs", p);
    l.output = r.get<int32_t>(jl, "output", p);
    const auto clamp = r.get<std::vector<int32_t>>(jl, "clamp", p);
    if (clamp.size() != 2) r.fail(p + "clamp", "needs [lo, hi]");
    l.clamp_lo = clamp[0];
    l.clamp_hi = clamp[1];
    if (has_window(l.kind)) read_window(r, jl, p, l.window);
    if (l.on_array()) {
      l.weight_bits = r.get<int32_t>(jl, "weight_bits", p);
      l.weight_shape = r.get<Shape>(jl, "weight_shape", p);
      l.weight_scale = r.get<std::vector<double>>(jl, "weight_scale", p);
      l.weights = r.blob(jl, "weights", p);
      l.bias = r.blob(jl, "bias", p);
    }
    if (has_requant(l.kind)) {
      const json& rq = r.at(jl, "requant", p);
      const auto m0 = r.get<std::vector<int32_t>>(rq, "m0", p + "requant.");
      const auto shift = r.get<std::vector<int32_t>>(rq, "shift", p + "requant.");
      if (m0.size() != shift.size()) r.fail(p + "requant", "m0 and shift differ in length");
      for (size_t k = 0; k < m0.size(); ++k) l.requant.push_back({m0[k], shift[k]});
    }
    if (l.kind == LayerKind::Add) {
      l.add_left_shift = r.get<int32_t>(jl, "add_left_shift", p);
      const json& im = r.at(jl, "input_mult", p);
      if (!im.is_array() || im.size() != 2) r.fail(p + "input_mult", "needs two multipliers");
      l.add_input_mult[0] = r.mult(im[0], p + "input_mult[0].");
      l.add_input_mult[1] = r.mult(im[1], p + "input_mult[1].");
    }
    if (l.kind == LayerKind::AvgPool) l.count_include_pad = r.get<bool>(jl, "count_include_pad", p);
    if (l.kind == LayerKind::Lut) {
      l.lut_shift = r.get<int32_t>(jl, "lut_shift", p);
      l.table = r.blob(jl, "table", p);
    }
    if (l.kind == LayerKind::Concat) l.concat_axis = r.get<int32_t>(jl, "concat_axis", p);
    net.layers.push_back(std::move(l));
  }
  net.validate(json_path.string());
  return net;
}

}  // namespace qarray
