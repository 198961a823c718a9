#include "models/ptq/range_setting.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "models/ptq/layer_weights.h"
#include "models/quant_grid.h"

namespace qarray {

const char* range_method_name(RangeMethod m) {
  switch (m) {
    case RangeMethod::MinMax: return "minmax";
    case RangeMethod::Mse: return "mse";
    case RangeMethod::Percentile: return "percentile";
  }
  return "?";
}

RangeMethod parse_range_method(const std::string& name) {
  for (RangeMethod m : {RangeMethod::MinMax, RangeMethod::Mse, RangeMethod::Percentile})
    if (name == range_method_name(m)) return m;
  throw InputError("unknown range method '" + name + "' (expected minmax, mse or percentile)");
}

namespace {

void check(const RangeOptions& opt) {
  if (!(opt.percentile > 50.0 && opt.percentile <= 100.0))
    throw InputError("percentile " + std::to_string(opt.percentile) + " is outside (50, 100]");
  if (opt.bins < 16 || opt.candidates < 1) throw InputError("range setting needs >= 16 bins and >= 1 candidate");
}

}  // namespace

void for_each_batch(const Graph& g, const Tensor& images, const ValueObserver& f) {
  const Fp32Executor exec(g);
  const int64_t n = images.shape.at(0), per = n ? images.size() / n : 0;
  for (int64_t b = 0; b < n; b += 128) {
    const int64_t e = std::min(n, b + 128);
    Shape s = images.shape;
    s[0] = e - b;
    exec.run(Tensor(s, std::vector<float>(images.data.begin() + b * per, images.data.begin() + e * per)), f);
  }
}

namespace {

struct Histogram {
  float lo = INFINITY, hi = -INFINITY;
  std::vector<double> counts;  // non-zero values per bin
  double zeros = 0.0;          // exact zeros (always representable)
  double total = 0.0;
  double width() const { return (double(hi) - lo) / counts.size(); }
  double center(size_t b) const { return lo + (b + 0.5) * width(); }
};

ClipRange percentile_range(const Histogram& h, double p) {
  std::vector<double> cum(h.counts.size());
  const int zero_bin = h.hi > h.lo ? std::clamp(int((0.0 - h.lo) / h.width()), 0, int(h.counts.size()) - 1) : 0;
  double run = 0.0;
  for (size_t b = 0; b < cum.size(); ++b) cum[b] = run += h.counts[b] + (int(b) == zero_bin ? h.zeros : 0.0);
  ClipRange r{h.lo, h.hi};
  const double top = p / 100.0 * h.total, bottom = (1.0 - p / 100.0) * h.total;
  for (size_t b = 0; b < cum.size(); ++b)
    if (cum[b] >= top) {
      r.hi = static_cast<float>(std::min<double>(h.hi, h.lo + (b + 1) * h.width()));
      break;
    }
  if (h.lo < 0)
    for (size_t b = 0; b < cum.size(); ++b)
      if (cum[b] > bottom) {
        r.lo = static_cast<float>(h.lo + b * h.width());
        break;
      }
  return r;
}

ClipRange mse_range(const Histogram& h, int bits, int candidates) {
  ClipRange best{h.lo, h.hi};
  double best_err = INFINITY;
  for (int k = candidates; k >= 1; --k) {
    const double a = double(k) / candidates;
    const double lo = std::min(0.0, a * h.lo), hi = std::max(0.0, a * h.hi);
    const double step = (hi - lo) / act_qmax(bits);
    double err = 0.0;
    for (size_t b = 0; b < h.counts.size(); ++b) {
      if (h.counts[b] == 0) continue;
      const double x = h.center(b);
      const double d = x < lo ? lo - x : (x > hi ? x - hi : 0.0);
      err += h.counts[b] * (d > 0 ? d * d : step * step / 12.0);
    }
    if (err < best_err) best_err = err, best = {static_cast<float>(lo), static_cast<float>(hi)};
  }
  return best;
}

}  // namespace

ClipTable activation_ranges(const Graph& g, const Tensor& images, int act_bits, const RangeOptions& opt) {
  check(opt);
  std::map<std::string, Histogram> hist;
  for_each_batch(g, images, [&](const std::string& v, const Tensor& t) {
    Histogram& h = hist[v];
    for (float x : t.data) h.lo = std::min(h.lo, x), h.hi = std::max(h.hi, x);
  });
  ClipTable out;
  if (opt.method == RangeMethod::MinMax) {
    for (const auto& [v, h] : hist) out[v] = {h.lo, h.hi};
    return out;
  }
  for (auto& [v, h] : hist) h.counts.assign(opt.bins, 0.0);
  for_each_batch(g, images, [&](const std::string& v, const Tensor& t) {
    Histogram& h = hist[v];
    const double w = h.width();
    for (float x : t.data) {
      h.total += 1.0;
      if (x == 0.0f) {
        h.zeros += 1.0;
        continue;
      }
      const int b = w > 0 ? static_cast<int>((double(x) - h.lo) / w) : 0;
      h.counts[std::clamp(b, 0, opt.bins - 1)] += 1.0;
    }
  });
  for (const auto& [v, h] : hist) {
    if (v == g.input || v == g.output || !(h.hi > h.lo)) {
      out[v] = {h.lo, h.hi};
      continue;
    }
    out[v] = opt.method == RangeMethod::Mse ? mse_range(h, act_bits, opt.candidates) : percentile_range(h, opt.percentile);
  }
  return out;
}

double weight_clip(const std::vector<float>& w, int bits, const RangeOptions& opt) {
  check(opt);
  double amax = 0.0;
  for (float x : w) amax = std::max(amax, std::fabs(double(x)));
  if (amax == 0.0 || opt.method == RangeMethod::MinMax) return amax;
  if (opt.method == RangeMethod::Percentile) {
    std::vector<double> a;
    a.reserve(w.size());
    for (float x : w) a.push_back(std::fabs(double(x)));
    std::sort(a.begin(), a.end());
    const size_t k = static_cast<size_t>(std::ceil(opt.percentile / 100.0 * a.size()));
    return a[std::clamp<size_t>(k, 1, a.size()) - 1];
  }
  double best = amax, best_err = INFINITY;
  for (int k = opt.candidates; k >= 1; --k) {
    const double clip = amax * k / opt.candidates, s = weight_scale_from_absmax(clip, bits);
    double err = 0.0;
    for (float x : w) {
      const double d = x - s * quantize_weight(x, s, bits);
      err += d * d;
    }
    if (err < best_err) best_err = err, best = clip;
  }
  return best;
}

QuantWeights quantize_layer_weights(const Graph& g, int node, int bits, bool per_channel, const RangeOptions& opt) {
  const LayerWeights v = layer_weights(g, node);
  const int64_t per = row_length(v);
  const std::vector<float> w = row_major_weights(g, v);
  QuantWeights qw;
  qw.q.resize(w.size());
  const int64_t groups = per_channel ? v.oc : 1, rows = v.oc / groups;
  for (int64_t c = 0; c < groups; ++c) {
    const std::vector<float> part(w.begin() + c * rows * per, w.begin() + (c + 1) * rows * per);
    qw.scale.push_back(weight_scale_from_absmax(weight_clip(part, bits, opt), bits));
    for (int64_t k = 0; k < rows * per; ++k) qw.q[c * rows * per + k] = quantize_weight(part[k], qw.scale.back(), bits);
  }
  return qw;
}

}  // namespace qarray
