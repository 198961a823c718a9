#include "models/ptq/adaround.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <sstream>
#include <thread>

#include "base/errors.h"
#include "models/ptq/layer_weights.h"
#include "models/quant_grid.h"

namespace qarray {

void validate(const AdaRoundOptions& o) {
  auto fail = [](const std::string& what, double got, const std::string& rule) {
    std::ostringstream s;
    s << "AdaRound " << what << " " << got << " " << rule;
    throw InputError(s.str());
  };
  if (o.iterations < 1) fail("iterations", o.iterations, "must be at least 1");
  if (o.images < 0) fail("images", double(o.images), "must be 0 (all calibration images) or more");
  if (o.positions < 1) fail("positions per image", o.positions, "must be at least 1");
  if (o.batch < 1) fail("batch", o.batch, "must be at least 1");
  if (!(o.learning_rate > 0.0 && std::isfinite(o.learning_rate))) fail("learning rate", o.learning_rate, "must be > 0");
  if (!(o.lambda >= 0.0 && std::isfinite(o.lambda))) fail("lambda", o.lambda, "must be >= 0");
  if (!(o.beta_end >= 1.0 && std::isfinite(o.beta_start))) fail("end beta", o.beta_end, "must be >= 1");
  if (!(o.beta_start >= o.beta_end)) fail("start beta", o.beta_start, "must be >= the end beta");
  if (!(o.warm_start >= 0.0 && o.warm_start < 1.0)) fail("warm start", o.warm_start, "must be in [0, 1)");
  if (o.threads < 1) fail("threads", o.threads, "must be at least 1");
}

namespace {

constexpr float kZeta = 1.1f, kGamma = -0.1f;
constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kChunk = 8;        // output channels optimized together (fixed: the bits depend on it)
constexpr int64_t kLossBlock = 2048;  // patches per block when a loss is measured

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowArr = Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMat = Eigen::MatrixXf;

// SplitMix64: small and portable, so the sampled patches and batches are the same everywhere.
struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};
SplitMix stream(uint64_t seed, uint64_t a, uint64_t b) {
  SplitMix m{seed};
  m.s = m.next() ^ a;
  m.s = m.next() ^ b;
  return SplitMix{m.next()};
}

// Where a layer's patches come from: its input [C, H, W] and window (an fc: C = K, 1 x 1).
struct PatchGeometry {
  int64_t c = 0, h = 1, w = 1, kh = 1, kw = 1, sh = 1, sw = 1, pt = 0, pl = 0, oh = 1, ow = 1;
  int64_t length() const { return c * kh * kw; }
  int64_t image_size() const { return c * h * w; }
  int64_t positions() const { return oh * ow; }
  // The patch of output position p, layout (channel, ky, kx); padding is real 0 (= z_x).
  void extract(const float* image, int64_t p, float* out) const {
    const int64_t oy = p / ow, ox = p % ow;
    for (int64_t i = 0; i < c; ++i)
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          const int64_t y = oy * sh - pt + ky, x = ox * sw - pl + kx;
          *out++ = (y >= 0 && y < h && x >= 0 && x < w) ? image[(i * h + y) * w + x] : 0.0f;
        }
  }
};

PatchGeometry geometry(const Graph& g, const LayerWeights& v) {
  const Node& n = g.nodes[v.node];
  PatchGeometry p;
  p.c = v.ic;
  if (n.op == OpType::Gemm) return p;
  const Shape &in = g.shapes.at(n.inputs[0]), &out = g.shapes.at(n.outputs[0]);
  const Tensor& w = g.init(n.inputs[1]);
  p.h = in.at(1), p.w = in.at(2), p.kh = w.dim(2), p.kw = w.dim(3);
  p.sh = n.strides[0], p.sw = n.strides[1], p.pt = n.pads[0], p.pl = n.pads[1];
  p.oh = out.at(1), p.ow = out.at(2);
  return p;
}

// The activation the lowering fuses into a layer (its only reader, Relu or Clip) as a clamp.
struct Clamp {
  float lo = -INFINITY, hi = INFINITY;
};
Clamp following_activation(const Graph& g, int node) {
  const std::vector<int> readers = g.consumers(g.nodes[node].outputs[0]);
  if (readers.size() != 1 || readers[0] < 0) return {};
  const Node& a = g.nodes[readers[0]];
  if (a.op == OpType::Relu) return {0.0f, INFINITY};
  if (a.op == OpType::Clip) return {a.clip_min, a.clip_max};
  return {};
}

// One layer's reconstruction problem: rows are patches, image i owning rows [i*per_image, ...).
struct Problem {
  std::string name;
  LayerWeights v;
  PatchGeometry geo;
  Clamp act;
  int64_t per_image = 1;
  RowArr w;                  // FP32 weights [oc, row_length]
  Eigen::RowVectorXf bias;   // [oc]
  RowMat target;             // f(W x + b) on the FP32 patches [rows, oc]
  RowMat x;                  // dequantized patches from the quantized network [rows, length]
};

std::vector<int64_t> sample_positions(uint64_t seed, int node, int64_t image, int64_t total, int64_t want) {
  std::vector<int64_t> p(total);
  for (int64_t i = 0; i < total; ++i) p[i] = i;
  if (want >= total) return p;
  SplitMix r = stream(seed, uint64_t(node), uint64_t(image));
  for (int64_t k = 0; k < want; ++k) std::swap(p[k], p[k + int64_t(r.below(uint64_t(total - k)))]);
  p.resize(want);
  std::sort(p.begin(), p.end());
  return p;
}

// Patches of images [first, first + count) stored in `data` (count images), into rows of `out`
// from row 0.
void extract_patches(const Problem& p, uint64_t seed, const float* data, int64_t first, int64_t count, RowMat& out) {
  out.resize(count * p.per_image, p.geo.length());
  for (int64_t b = 0; b < count; ++b) {
    const std::vector<int64_t> pos = sample_positions(seed, p.v.node, first + b, p.geo.positions(), p.per_image);
    for (int64_t k = 0; k < p.per_image; ++k)
      p.geo.extract(data + b * p.geo.image_size(), pos[k], out.row(b * p.per_image + k).data());
  }
}

// Pre-activation x w^T (no bias) for dense rows, or depthwise: row o reads columns [o*taps, ...);
// x [rows, w.rows()*taps] is then viewed as [rows*oc, taps] so the products vectorize.
template <typename S>
using RowMatT = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename S>
void preact(const RowMatT<S>& x, const RowMatT<S>& w, bool depthwise, RowMatT<S>& y) {
  if (!depthwise) {
    y.noalias() = x * w.transpose();
    return;
  }
  const int64_t rows = x.rows(), n = w.rows(), taps = w.cols();
  const Eigen::Map<const RowMatT<S>> xs(x.data(), rows * n, taps);
  y.resize(rows, n);
  Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, 1>>(y.data(), rows * n) =
      (xs.array() * w.array().replicate(rows, 1)).rowwise().sum();
}

// Mean over all patches of sum_o (f(x w^T + b) - target)^2, in double.
double recon_loss(const Problem& p, const RowArr& w) {
  const RowMatT<double> wd = w.matrix().cast<double>();
  const Eigen::RowVectorXd b = p.bias.cast<double>();
  double total = 0.0;
  for (int64_t r0 = 0; r0 < p.x.rows(); r0 += kLossBlock) {
    const int64_t n = std::min(kLossBlock, p.x.rows() - r0);
    const RowMatT<double> xb = p.x.middleRows(r0, n).cast<double>();
    RowMatT<double> y;
    preact<double>(xb, wd, p.v.depthwise, y);
    y.rowwise() += b;
    const auto f = y.array().cwiseMax(double(p.act.lo)).cwiseMin(double(p.act.hi));
    total += (f - p.target.middleRows(r0, n).cast<double>().array()).square().sum();
  }
  return p.x.rows() ? total / p.x.rows() : 0.0;
}

RowArr dequantize(const std::vector<int32_t>& q, const QuantWeights& w, int64_t oc, int64_t per) {
  RowArr d(oc, per);
  for (int64_t o = 0; o < oc; ++o)
    for (int64_t k = 0; k < per; ++k) d(o, k) = float(w.scale_of(o) * q[o * per + k]);
  return d;
}

// The images of every step: `batch` distinct images per step, a seeded stream per layer.
struct Schedule {
  std::vector<int32_t> images;  // iterations x batch
  int64_t batch = 0;
  int iterations = 0;
  int warm = 0;  // steps without the regularizer
};

Schedule schedule(const AdaRoundOptions& opt, int node, int64_t n_images) {
  Schedule s;
  s.batch = std::min<int64_t>(opt.batch, n_images);
  s.iterations = opt.iterations;
  s.warm = static_cast<int>(std::ceil(opt.warm_start * opt.iterations));
  std::vector<int32_t> perm(n_images);
  for (int64_t i = 0; i < n_images; ++i) perm[i] = int32_t(i);
  SplitMix r = stream(opt.seed, uint64_t(node), 0xADA0u);
  s.images.reserve(size_t(s.iterations * s.batch));
  for (int it = 0; it < s.iterations; ++it)
    for (int64_t k = 0; k < s.batch; ++k) {
      std::swap(perm[k], perm[k + int64_t(r.below(uint64_t(n_images - k)))]);
      s.images.push_back(perm[k]);
    }
  return s;
}

// Learns the rounding of output channels [o0, o0 + n) and writes their integer weights into q
// (layout [oc, per]). Returns false if the optimization diverged (non-finite V).
bool optimize_chunk(const Problem& p, int64_t o0, int64_t n, const std::vector<double>& scale, int32_t qmax,
                    const Schedule& s, const AdaRoundOptions& opt, int32_t* q) {
  const bool dw = p.v.depthwise;
  const int64_t per = p.w.cols(), taps = p.v.taps;
  const int64_t c0 = dw ? o0 * taps : 0, cols = dw ? n * taps : p.x.cols();
  const float fq = float(qmax);
  RowArr base(n, per), v(n, per), active(n, per);
  Eigen::ArrayXf sc(n);
  for (int64_t j = 0; j < n; ++j) {
    sc(j) = float(scale[o0 + j]);
    for (int64_t k = 0; k < per; ++k) {
      const double r = double(p.w(o0 + j, k)) / scale[o0 + j], fl = std::floor(r), rest = r - fl;
      const double prob = (rest - kGamma) / (kZeta - kGamma);  // h(V) = rest
      base(j, k) = float(fl);
      active(j, k) = rest > 0.0 ? 1.0f : 0.0f;
      v(j, k) = float(std::log(prob / (1.0 - prob)));
    }
  }
  RowArr m1 = RowArr::Zero(n, per), m2 = RowArr::Zero(n, per);
  const int64_t rows = s.batch * p.per_image;
  // Dense layers: one GEMM per step on row-major patches gathered from p.x. Depthwise: the
  // chunk's columns of p.x (a small slice of a wide matrix: gathering rows from the whole of it
  // missed the cache on every step) are copied once, column-major, so that channel j's taps are
  // `taps` contiguous columns; its output and gradient are then a GEMV / a row of dot products
  // vectorized along the batch, one channel at a time.
  RowMat xb(dw ? 0 : rows, cols), tb(rows, n), y, g;
  const ColMat xall = dw ? ColMat(p.x.middleCols(c0, cols)) : ColMat();
  ColMat xc(dw ? rows : 0, cols), yc(dw ? rows : 0, n);
  const Eigen::RowVectorXf bias = p.bias.segment(o0, n);
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  for (int it = 0; it < s.iterations; ++it) {
    for (int64_t b = 0; b < s.batch; ++b) {
      const int64_t src = s.images[size_t(it * s.batch + b)] * p.per_image, dst = b * p.per_image;
      if (dw)
        xc.middleRows(dst, p.per_image) = xall.middleRows(src, p.per_image);
      else
        xb.middleRows(dst, p.per_image) = p.x.middleRows(src, p.per_image);
      tb.middleRows(dst, p.per_image) = p.target.block(src, o0, p.per_image, n);
    }
    const RowArr sig = (1.0f + (-v).exp()).inverse();
    const RowArr hraw = sig * (kZeta - kGamma) + kGamma;
    const RowArr h = hraw.cwiseMax(0.0f).cwiseMin(1.0f);
    const RowArr u = base + h;
    const RowMat wt = (u.cwiseMax(-fq).cwiseMin(fq).colwise() * sc).matrix();
    RowArr grad(n, per);
    if (dw) {
      for (int64_t j = 0; j < n; ++j) yc.col(j).noalias() = xc.middleCols(j * taps, taps) * wt.row(j).transpose();
      yc.rowwise() += bias;
      const auto ya = yc.array();
      const auto inside = (ya >= p.act.lo && ya <= p.act.hi).cast<float>();
      const ColMat gc =
          ((ya.cwiseMax(p.act.lo).cwiseMin(p.act.hi) - tb.array()) * inside * (2.0f / float(rows))).matrix();
      for (int64_t j = 0; j < n; ++j) grad.row(j) = (gc.col(j).transpose() * xc.middleCols(j * taps, taps)).array();
    } else {
      preact<float>(xb, wt, false, y);
      y.rowwise() += bias;
      const auto ya = y.array();
      const auto inside = (ya >= p.act.lo && ya <= p.act.hi).cast<float>();
      g = ((ya.cwiseMax(p.act.lo).cwiseMin(p.act.hi) - tb.array()) * inside * (2.0f / float(rows))).matrix();
      grad = (g.transpose() * xb).array();
    }
    grad = (grad.colwise() * sc) * (u >= -fq && u <= fq).cast<float>();
    if (it >= s.warm) {  // d/dh of lambda * (1 - |2h - 1|^beta)
      const double rel = s.iterations > s.warm ? double(it - s.warm) / (s.iterations - s.warm) : 0.0;
      const float beta = float(opt.beta_end + 0.5 * (opt.beta_start - opt.beta_end) * (1.0 + std::cos(rel * kPi)));
      const RowArr d = 2.0f * h - 1.0f;
      grad -= float(2.0 * opt.lambda) * beta * d.abs().pow(beta - 1.0f) * d.sign();
    }
    grad *= (kZeta - kGamma) * sig * (1.0f - sig) * (hraw >= 0.0f && hraw <= 1.0f).cast<float>() * active;
    // Adam, in PyTorch's form.
    const int t = it + 1;
    const double bc1 = 1.0 - std::pow(b1, t), bc2 = 1.0 - std::pow(b2, t);
    m1 = float(b1) * m1 + float(1.0 - b1) * grad;
    m2 = float(b2) * m2 + float(1.0 - b2) * grad.square();
    v -= float(opt.learning_rate / bc1) * m1 / (m2.sqrt() / float(std::sqrt(bc2)) + float(eps));
  }
  if (!v.allFinite()) return false;
  const RowArr h = ((1.0f + (-v).exp()).inverse() * (kZeta - kGamma) + kGamma).cwiseMax(0.0f).cwiseMin(1.0f);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t k = 0; k < per; ++k) {
      const float up = active(j, k) > 0.0f && h(j, k) >= 0.5f ? 1.0f : 0.0f;
      q[(o0 + j) * per + k] = int32_t(std::clamp(base(j, k) + up, -fq, fq));
    }
  return true;
}

// Runs f(i) for i in [0, count) on `threads` workers; rethrows the first error.
template <typename F>
void parallel_for(int64_t count, int threads, F f) {
  std::atomic<int64_t> next{0};
  std::vector<std::exception_ptr> err(size_t(std::max(1, threads)));
  auto work = [&](int id) {
    try {
      for (int64_t i; (i = next++) < count;) f(i);
    } catch (...) {
      err[size_t(id)] = std::current_exception();
      next = count;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads && t < count; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

const char* kind_of(const Graph& g, const LayerWeights& v) {
  if (g.nodes[v.node].op == OpType::Gemm) return "fc";
  return v.depthwise ? "depthwise" : "conv";
}

// FP32 targets of every problem in one pass over the calibration images.
void collect_targets(const Graph& g, const Tensor& calib, uint64_t seed, std::vector<Problem>& ps) {
  std::map<std::string, std::vector<size_t>> readers;
  std::map<std::string, int64_t> seen;
  for (size_t i = 0; i < ps.size(); ++i) readers[g.nodes[ps[i].v.node].inputs[0]].push_back(i);
  for_each_batch(g, calib, [&](const std::string& value, const Tensor& t) {
    const auto it = readers.find(value);
    if (it == readers.end()) return;
    const int64_t n = t.shape.at(0), first = seen[value];
    seen[value] += n;
    for (size_t i : it->second) {
      Problem& p = ps[i];
      if (t.size() != n * p.geo.image_size()) throw InputError("AdaRound: input of '" + p.name + "' has the wrong size");
      RowMat x, y;
      extract_patches(p, seed, t.ptr(), first, n, x);
      preact<float>(x, RowMat(p.w.matrix()), p.v.depthwise, y);
      y.rowwise() += p.bias;
      p.target.middleRows(first * p.per_image, n * p.per_image) = y.array().cwiseMax(p.act.lo).cwiseMin(p.act.hi).matrix();
    }
  });
}

}  // namespace

std::map<std::string, QuantWeights> adaround(const Graph& reference, const Tensor& calib, int weight_bits,
                                             const std::map<std::string, QuantWeights>& nearest,
                                             RoundingInputs& source, const AdaRoundOptions& opt,
                                             AdaRoundReport* report) {
  validate(opt);
  const int64_t n_images = calib.shape.empty() ? 0 : calib.shape[0];
  if (n_images <= 0) throw InputError("AdaRound needs at least one calibration image");
  AdaRoundReport rep;
  std::vector<Problem> ps;
  for (int i = 0; i < static_cast<int>(reference.nodes.size()); ++i) {
    const Node& n = reference.nodes[i];
    if (is_ptq_layer(reference, i)) {
      Problem p;
      p.name = n.name;
      p.v = layer_weights(reference, i);
      p.geo = geometry(reference, p.v);
      p.act = following_activation(reference, i);
      p.per_image = std::min<int64_t>(opt.positions, p.geo.positions());
      const std::vector<float> w = row_major_weights(reference, p.v), b = bias_values(reference, p.v);
      p.w = Eigen::Map<const RowArr>(w.data(), p.v.oc, row_length(p.v));
      p.bias = Eigen::Map<const Eigen::RowVectorXf>(b.data(), p.v.oc);
      p.target.resize(n_images * p.per_image, p.v.oc);
      if (!nearest.count(p.name)) throw InputError("AdaRound: no integer weights for layer '" + p.name + "'");
      ps.push_back(std::move(p));
    } else if ((n.op == OpType::Conv || n.op == OpType::Gemm || n.op == OpType::MatMul) && n.inputs.size() >= 2 &&
               reference.is_init(n.inputs[1])) {
      rep.fallback.push_back({n.name, std::string(op_name(n.op)) +
                                          " is not a Conv (group 1 or depthwise, dilation 1) or Gemm layer: "
                                          "the lowering rounds it to nearest"});
    }
  }
  collect_targets(reference, calib, opt.seed, ps);

  std::map<std::string, QuantWeights> out = nearest;
  const int32_t qmax = weight_qmax(weight_bits);
  for (size_t li = 0; li < ps.size(); ++li) {
    Problem& p = ps[li];
    const auto t0 = std::chrono::steady_clock::now();
    {
      const Tensor x = source.layer_input(reference, p.name);
      if (x.size() != n_images * p.geo.image_size())
        throw InputError("AdaRound: quantized input of '" + p.name + "' does not match the calibration images");
      extract_patches(p, opt.seed, x.ptr(), 0, n_images, p.x);
    }
    const QuantWeights& near = nearest.at(p.name);
    const int64_t oc = p.v.oc, per = p.w.cols();
    std::vector<double> scale(static_cast<size_t>(oc));
    for (int64_t o = 0; o < oc; ++o) scale[size_t(o)] = near.scale_of(o);
    const Schedule s = schedule(opt, p.v.node, n_images);
    std::vector<int32_t> q(static_cast<size_t>(oc * per));
    std::atomic<bool> finite{true};
    const int64_t chunks = (oc + kChunk - 1) / kChunk;
    parallel_for(chunks, opt.threads, [&](int64_t c) {
      const int64_t o0 = c * kChunk;
      if (!optimize_chunk(p, o0, std::min(kChunk, oc - o0), scale, qmax, s, opt, q.data())) finite = false;
    });
    AdaRoundLayer l;
    l.layer = p.name;
    l.kind = kind_of(reference, p.v);
    l.weights = oc * per;
    l.patches = p.x.rows();
    l.loss_float = recon_loss(p, p.w);
    l.loss_nearest = recon_loss(p, dequantize(near.q, near, oc, per));
    l.loss_adaround = finite ? recon_loss(p, dequantize(q, near, oc, per)) : NAN;
    if (!finite || !std::isfinite(l.loss_adaround) || l.loss_adaround > l.loss_nearest) {
      std::ostringstream why;
      if (!finite || !std::isfinite(l.loss_adaround))
        why << "the optimization diverged (non-finite loss); kept nearest rounding";
      else
        why << "rounded loss " << l.loss_adaround << " above nearest's " << l.loss_nearest << "; kept nearest rounding";
      rep.fallback.push_back({p.name, why.str()});
      l.kept_nearest = true;
      l.loss_adaround = l.loss_nearest;
      q = near.q;
    }
    int64_t flipped = 0;
    for (size_t k = 0; k < q.size(); ++k) flipped += q[k] != near.q[k];
    l.flipped = q.empty() ? 0.0 : double(flipped) / double(q.size());
    out[p.name].q = q;
    source.set_weights(p.name, out[p.name]);
    p.x = RowMat();
    p.target = RowMat();
    l.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.layers.push_back(l);
    if (opt.on_layer) opt.on_layer(rep.layers.back(), int(li + 1), int(ps.size()));
  }
  if (report) *report = std::move(rep);
  return out;
}

}  // namespace qarray
