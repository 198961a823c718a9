#include "workloads/ptq_pipeline.h"

#include <chrono>
#include <thread>

#include "base/errors.h"
#include "models/ptq/bn_fold.h"
#include "models/ptq/layer_weights.h"

namespace qarray {

namespace {
const std::pair<const char*, PtqMethod> kMethods[] = {
    {"nearest", {false, BiasCorrection::None}},
    {"cle", {true, BiasCorrection::None}},
    {"bc", {false, BiasCorrection::Empirical}},
    {"cle+bc", {true, BiasCorrection::Empirical}},
    {"bc-analytic", {false, BiasCorrection::Analytical}},
    {"cle+bc-analytic", {true, BiasCorrection::Analytical}},
    {"adaround", {false, BiasCorrection::None, true}},
    {"cle+adaround", {true, BiasCorrection::None, true}},
    {"adaround+bc", {false, BiasCorrection::Empirical, true}},
    {"cle+adaround+bc", {true, BiasCorrection::Empirical, true}},
};
}  // namespace

PtqMethod parse_ptq_method(const std::string& name) {
  std::string all;
  for (const auto& [n, m] : kMethods) {
    if (name == n) return m;
    all += std::string(all.empty() ? "" : ", ") + n;
  }
  throw InputError("unknown PTQ method '" + name + "' (expected one of " + all + ")");
}

std::string ptq_method_name(const PtqMethod& m) {
  for (const auto& [n, k] : kMethods)
    if (k.cle == m.cle && k.bias == m.bias && k.adaround == m.adaround) return n;
  return "?";
}

void validate(const PtqOptions& opt) {
  opt.spec.validate();
  for (const RangeOptions* r : {&opt.act_ranges, &opt.weight_ranges})
    if (!(r->percentile > 50.0 && r->percentile <= 100.0))
      throw InputError("percentile " + std::to_string(r->percentile) + " is outside (50, 100]");
  validate(opt.adaround);
}

namespace {

bool same_workload(const Layer& a, const Layer& b) {
  if (a.bias != b.bias || a.weights != b.weights || a.clamp_lo != b.clamp_lo || a.clamp_hi != b.clamp_hi ||
      a.requant.size() != b.requant.size())
    return false;
  for (size_t i = 0; i < a.requant.size(); ++i)
    if (a.requant[i].m0 != b.requant[i].m0 || a.requant[i].shift != b.requant[i].shift) return false;
  return true;
}

// Rows [lo, hi) of a batched tensor.
IntTensor rows(const IntTensor& t, int64_t lo, int64_t hi) {
  const int64_t per = t.size() / t.shape[0];
  Shape s = t.shape;
  s[0] = hi - lo;
  return IntTensor(s, std::vector<int32_t>(t.data.begin() + lo * per, t.data.begin() + hi * per));
}

// One layer on the whole batch, the batch split over `threads` workers (results are per image,
// so the split does not change a bit).
IntTensor run_layer_split(const GoldenExecutor& exec, size_t layer, const std::vector<const IntTensor*>& ins,
                          int threads) {
  const int64_t n = ins[0]->shape[0];
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, n));
  if (parts == 1) return exec.run_layer(layer, ins);
  std::vector<IntTensor> out(parts);
  std::vector<std::exception_ptr> err(parts);
  std::vector<std::thread> pool;
  for (int64_t p = 0; p < parts; ++p)
    pool.emplace_back([&, p] {
      try {
        const int64_t lo = n * p / parts, hi = n * (p + 1) / parts;
        std::vector<IntTensor> part;
        for (const IntTensor* t : ins) part.push_back(rows(*t, lo, hi));
        std::vector<const IntTensor*> ptrs;
        for (const IntTensor& t : part) ptrs.push_back(&t);
        out[p] = exec.run_layer(layer, ptrs);
      } catch (...) {
        err[p] = std::current_exception();
      }
    });
  for (auto& t : pool) t.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
  IntTensor y = std::move(out[0]);
  y.shape[0] = n;
  for (int64_t p = 1; p < parts; ++p) y.data.insert(y.data.end(), out[p].data.begin(), out[p].data.end());
  return y;
}

}  // namespace

GoldenInputs::GoldenInputs(const RangeTable& ranges, const QuantSpec& spec,
                           const std::map<std::string, FixedWeights>& fixed, const Tensor& calib, int threads)
    : ranges_(ranges), spec_(spec), fixed_(fixed), calib_(calib), threads_(threads) {}

void GoldenInputs::set_weights(const std::string& layer, const QuantWeights& w) { fixed_[layer] = {w.q, w.scale}; }

Tensor GoldenInputs::layer_input(const Graph& graph, const std::string& layer) {
  Network net = lower_graph(graph, ranges_, spec_, fixed_);
  size_t first = 0;
  if (net.layers.size() == net_.layers.size())
    while (first < valid_ && same_workload(net.layers[first], net_.layers[first])) ++first;
  net_ = std::move(net);
  size_t k = 0;
  while (k < net_.layers.size() && !(net_.layers[k].name == layer && net_.layers[k].on_array())) ++k;
  if (k == net_.layers.size()) throw InputError("PTQ: layer '" + layer + "' was not lowered");
  const GoldenExecutor exec(net_);
  if (std::min(first, k) < dead_before_ || values_.size() != net_.tensors.size()) {  // a freed value is needed
    values_.assign(net_.tensors.size(), IntTensor());
    values_[net_.input] = exec.quantize_input(calib_);
    first = dead_before_ = 0;
  }
  valid_ = first;
  for (size_t i = valid_; i < k; ++i) {
    std::vector<const IntTensor*> ins;
    for (int32_t t : net_.layers[i].inputs) ins.push_back(&values_[t]);
    values_[net_.layers[i].output] = run_layer_split(exec, i, ins, threads_);
  }
  valid_ = std::max(valid_, k);
  // Free the values read only by layers before k; a later call that must rerun one of those
  // layers starts over from the network input.
  std::vector<size_t> last_use(net_.tensors.size(), 0);
  for (size_t i = 0; i < net_.layers.size(); ++i)
    for (int32_t t : net_.layers[i].inputs) last_use[t] = i;
  for (size_t t = 0; t < values_.size(); ++t)
    if (last_use[t] < k) values_[t] = IntTensor();
  dead_before_ = std::max(dead_before_, k);
  const ActTensor& in = net_.tensors[net_.layers[k].inputs[0]];
  const IntTensor& q = values_[net_.layers[k].inputs[0]];
  Tensor x(q.shape);
  for (int64_t i = 0; i < q.size(); ++i) x.data[i] = static_cast<float>(in.quant.dequantize(q.data[i]));
  return x;
}

PtqResult quantize_ptq(const Graph& graph, const Tensor& calib, const PtqOptions& opt) {
  validate(opt);
  if (calib.shape.empty() || calib.shape[0] <= 0) throw InputError("PTQ needs at least one calibration image");
  PtqResult r;
  auto t0 = std::chrono::steady_clock::now();
  auto step = [&](const char* name) {
    const auto t1 = std::chrono::steady_clock::now();
    r.steps.push_back({name, std::chrono::duration<double>(t1 - t0).count()});
    t0 = t1;
  };
  std::vector<FoldedBn> bn;
  r.reference = fold_batchnorm(graph, &bn);
  step("bn fold");
  if (opt.method.cle) {
    r.reference = equalize(r.reference, bn, opt.cle, &r.cle);
    step("cle");
  }
  for (const auto& [value, c] : activation_ranges(r.reference, calib, opt.spec.act_bits, opt.act_ranges))
    r.ranges[value] = {c.lo, c.hi};
  step("activation ranges");
  std::map<std::string, QuantWeights> weights;
  std::map<std::string, FixedWeights> fixed;
  for (int i = 0; i < static_cast<int>(r.reference.nodes.size()); ++i) {
    if (!is_ptq_layer(r.reference, i)) continue;
    QuantWeights w = quantize_layer_weights(r.reference, i, opt.spec.weight_bits, opt.spec.per_channel, opt.weight_ranges);
    fixed[r.reference.nodes[i].name] = {w.q, w.scale};
    weights[r.reference.nodes[i].name] = std::move(w);
  }
  step("weights");
  if (opt.method.adaround) {
    const int64_t n = opt.adaround.images ? opt.adaround.images : calib.shape[0];
    if (n > calib.shape[0])
      throw InputError("AdaRound images: " + std::to_string(n) + " requested, only " + std::to_string(calib.shape[0]) +
                       " calibration images");
    Shape s = calib.shape;
    s[0] = n;
    const Tensor images(s, std::vector<float>(calib.data.begin(), calib.data.begin() + calib.size() / calib.shape[0] * n));
    GoldenInputs source(r.ranges, opt.spec, fixed, images, opt.threads);
    AdaRoundOptions ao = opt.adaround;
    ao.threads = opt.threads;
    weights = adaround(r.reference, images, opt.spec.weight_bits, weights, source, ao, &r.adaround);
    for (const auto& [name, w] : weights) fixed[name] = {w.q, w.scale};
    step("adaround");
  }
  r.quantized = r.reference;
  if (opt.method.bias == BiasCorrection::Empirical) {
    GoldenInputs source(r.ranges, opt.spec, fixed, calib, opt.threads);
    r.quantized = correct_bias_empirical(r.reference, r.reference, weights, calib, source, &r.bias);
    step("bias correction");
  } else if (opt.method.bias == BiasCorrection::Analytical) {
    r.quantized = correct_bias_analytical(r.reference, bn, weights, &r.bias, &r.bias_skipped);
    step("bias correction (analytical)");
  }
  r.network = lower_graph(r.quantized, r.ranges, opt.spec, fixed);
  step("lowering");
  return r;
}

}  // namespace qarray
