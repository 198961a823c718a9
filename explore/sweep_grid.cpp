// The sweep grid's parser and its cross product (explore/sweep_grid.h).
#include "explore/sweep_grid.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/errors.h"
#include "base/format.h"
#include "base/json_reader.h"
#include "explore/shipped.h"
#include "models/dataset.h"
#include "workloads/ptq_pipeline.h"

namespace qarray::explore {
namespace {

using json = nlohmann::json;

const std::set<std::string> kKeys = {"model",      "arch",       "array",     "dataflow",
                                     "weight_bits", "act_bits",  "method",    "ifmap_kib",
                                     "weight_kib", "ofmap_kib",  "dram_bytes_per_cycle",
                                     "energy_table", "eval_images", "calib_images", "sim_images", "data",
                                     "labels"};

struct Reader {
  const json& doc;
  const std::string& where;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const { json_fail(where, key, what); }

  // The key's list (non-empty, no duplicates), each element read by `one`; `fallback` if absent.
  template <typename T, typename F>
  std::vector<T> list(const std::string& key, std::vector<T> fallback, F one) const {
    if (!doc.contains(key)) return fallback;
    const json& v = json_list(doc.at(key), where, key);
    if (v.empty()) fail(key, "empty list (give at least one value or leave the key out)");
    std::vector<T> out;
    for (const json& e : v) {
      T x = one(key, e);
      for (const T& y : out)
        if (y == x) fail(key, "value " + json_excerpt(e) + " listed twice");
      out.push_back(x);
    }
    return out;
  }

  int64_t integer(const std::string& key, const json& e, int64_t lo, int64_t hi) const {
    return json_integer(e, where, key, lo, hi);
  }

  std::string text(const std::string& key, const json& e) const {
    if (!e.is_string() || e.get<std::string>().empty())
      fail(key, "expected a non-empty string, got " + json_excerpt(e));
    return e.get<std::string>();
  }
};

Dataflow parse_dataflow(const Reader& r, const std::string& key, const json& e) {
  try {
    return qarray::parse_dataflow(r.text(key, e));
  } catch (const InputError& err) {
    r.fail(key, err.what());
  }
}

}  // namespace

std::string SweepPoint::id() const {
  return std::to_string(rows) + "x" + std::to_string(cols) + "-" + dataflow_name(dataflow) + "-w" +
         std::to_string(weight_bits) + "a" + std::to_string(act_bits) + "-" + method + "-i" +
         std::to_string(ifmap_kib) + "w" + std::to_string(weight_kib) + "o" + std::to_string(ofmap_kib) + "k-d" +
         shortest_text(dram_bytes_per_cycle) + "-" + energy_table;
}

SweepGrid parse_sweep_grid(const std::string& json_text, const std::string& where) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    std::string what = e.what();
    throw InputError(where + ": not valid JSON (" + what.substr(what.find(']') + 2) + ")");
  }
  if (!doc.is_object()) throw InputError(where + ": expected a JSON object of grid keys");
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (!kKeys.count(it.key())) {
      std::string known;
      for (const std::string& k : kKeys) known += (known.empty() ? "" : ", ") + k;
      throw InputError(where + ": " + it.key() + ": unknown key (known: " + known + ")");
    }
  const Reader r{doc, where};
  SweepGrid g;
  g.path = where;
  for (const char* key : {"model", "arch"})
    if (!doc.contains(key)) r.fail(key, "missing (required)");
  g.model = r.text("model", doc.at("model"));
  g.arch = r.text("arch", doc.at("arch"));
  try {
    g.base = load_arch_config(arch_path(g.arch));
  } catch (const InputError& e) {
    r.fail("arch", e.what());
  }
  const ArchConfig& b = g.base;
  g.array = r.list<std::pair<int32_t, int32_t>>("array", {{b.rows, b.cols}}, [&](const std::string& k, const json& e) {
    if (!e.is_array() || e.size() != 2) r.fail(k, "expected [rows, cols] pairs, got " + json_excerpt(e));
    return std::pair<int32_t, int32_t>(r.integer(k, e[0], 1, 256), r.integer(k, e[1], 1, 256));
  });
  g.dataflow = r.list<Dataflow>("dataflow", {b.dataflow},
                                [&](const std::string& k, const json& e) { return parse_dataflow(r, k, e); });
  auto bits = [&](const std::string& k, const json& e) { return static_cast<int32_t>(r.integer(k, e, 2, 16)); };
  g.weight_bits = r.list<int32_t>("weight_bits", {b.weight_bits}, bits);
  g.act_bits = r.list<int32_t>("act_bits", {b.act_bits}, bits);
  g.method = r.list<std::string>("method", {"cle+bc"}, [&](const std::string& k, const json& e) {
    const std::string m = r.text(k, e);
    try {
      return ptq_method_name(parse_ptq_method(m));  // canonical spelling: one resume key per method
    } catch (const InputError& err) {
      r.fail(k, err.what());
    }
  });
  auto kib = [&](const std::string& k, const json& e) { return r.integer(k, e, 1, int64_t{1} << 30); };
  g.ifmap_kib = r.list<int64_t>("ifmap_kib", {b.ifmap.capacity_bytes / 1024}, kib);
  g.weight_kib = r.list<int64_t>("weight_kib", {b.weight.capacity_bytes / 1024}, kib);
  g.ofmap_kib = r.list<int64_t>("ofmap_kib", {b.ofmap.capacity_bytes / 1024}, kib);
  for (const auto& [key, buf] : {std::pair<const char*, const SramBuffer*>{"ifmap_kib", &b.ifmap},
                                 {"weight_kib", &b.weight}, {"ofmap_kib", &b.ofmap}})
    if (!doc.contains(key) && buf->capacity_bytes % 1024 != 0)
      r.fail(key, "the base arch's capacity " + std::to_string(buf->capacity_bytes) +
                      " bytes is not whole KiB; list the sizes to sweep");
  g.dram_bytes_per_cycle =
      r.list<double>("dram_bytes_per_cycle", {b.dram.bytes_per_cycle}, [&](const std::string& k, const json& e) {
        const double v = json_number(e, where, k);
        if (v <= 0) r.fail(k, "expected a number > 0, got " + json_excerpt(e));
        return v;
      });
  g.energy_table = r.list<std::string>("energy_table", {"horowitz45"},
                                       [&](const std::string& k, const json& e) { return r.text(k, e); });
  if (doc.contains("eval_images")) g.eval_images = r.integer("eval_images", doc["eval_images"], 0, 1 << 30);
  if (doc.contains("calib_images")) g.calib_images = r.integer("calib_images", doc["calib_images"], 1, 1 << 30);
  if (doc.contains("sim_images")) g.sim_images = r.integer("sim_images", doc["sim_images"], 1, 1 << 30);
  if (g.eval_images > 0 && g.sim_images > g.eval_images)
    r.fail("sim_images", std::to_string(g.sim_images) + " exceeds eval_images " + std::to_string(g.eval_images) +
                             " (simulated images are checked against golden's predictions)");
  g.data = doc.contains("data") ? r.text("data", doc["data"]) : std::string(kDefaultFashionMnistDir);
  g.labels = doc.contains("labels") ? r.text("labels", doc["labels"]) : std::string();
  parse_data_source(g.data, g.labels, where + ": data");  // the kind is known (and a .npy has labels) now
  for (const SweepPoint& p : sweep_points(g)) point_arch(g, p).validate(where + ": point " + p.id());
  return g;
}
SweepGrid load_sweep_grid(const std::string& path) {
  std::error_code ec;  // a path the file system refuses is reported by the open below
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not a grid file");
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the grid file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_sweep_grid(text.str(), path);
}

std::vector<SweepPoint> sweep_points(const SweepGrid& g) {
  std::vector<SweepPoint> out;
  for (const auto& [rows, cols] : g.array)
    for (Dataflow df : g.dataflow)
      for (int32_t wb : g.weight_bits)
        for (int32_t ab : g.act_bits)
          for (const std::string& m : g.method)
            for (int64_t ik : g.ifmap_kib)
              for (int64_t wk : g.weight_kib)
                for (int64_t ok : g.ofmap_kib)
                  for (double bw : g.dram_bytes_per_cycle)
                    for (const std::string& t : g.energy_table)
                      out.push_back({rows, cols, df, wb, ab, m, ik, wk, ok, bw, t});
  return out;
}

ArchConfig point_arch(const SweepGrid& g, const SweepPoint& p) {
  ArchConfig a = g.base;
  a.name = p.id();
  a.rows = p.rows;
  a.cols = p.cols;
  a.dataflow = p.dataflow;
  a.weight_bits = p.weight_bits;
  a.act_bits = p.act_bits;
  a.ifmap.capacity_bytes = p.ifmap_kib * 1024;
  a.weight.capacity_bytes = p.weight_kib * 1024;
  a.ofmap.capacity_bytes = p.ofmap_kib * 1024;
  a.dram.bytes_per_cycle = p.dram_bytes_per_cycle;
  return a;
}

}  // namespace qarray::explore
