#include "workloads/evaluate.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "base/errors.h"
#include "models/fp32_executor.h"

namespace qarray {
namespace {

template <typename T>
int32_t argmax_row(const T* row, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (row[i] > row[best]) best = i;
  return static_cast<int32_t>(best);
}

// Runs classify(batch tensor) -> per-image predictions over [0, n) on opt.threads workers.
template <typename Classify>
EvalResult evaluate(const Dataset& data, const EvalOptions& opt, Classify classify) {
  const int64_t n = opt.images > 0 ? opt.images : data.count;
  if (n > data.count)
    throw InputError("asked for " + std::to_string(n) + " images but the dataset holds " +
                     std::to_string(data.count));
  EvalResult r;
  r.images = n;
  r.predictions.assign(n, 0);
  const int64_t batches = (n + opt.batch - 1) / opt.batch;
  std::atomic<int64_t> next{0};
  std::mutex mu;
  int64_t done = 0;
  std::exception_ptr failure;
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&]() {
    try {
      for (int64_t b = next++; b < batches; b = next++) {
        const int64_t lo = b * opt.batch, hi = std::min(n, lo + opt.batch);
        classify(data.batch(lo, hi), r.predictions.data() + lo, mu, r);
        std::lock_guard<std::mutex> lock(mu);
        done += hi - lo;
        if (opt.progress) opt.progress(done, n);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!failure) failure = std::current_exception();
      next = batches;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, opt.threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.labelled = data.labelled();
  if (r.labelled)
    for (int64_t i = 0; i < n; ++i) r.correct += r.predictions[i] == data.labels[i];
  return r;
}

}  // namespace

EvalResult evaluate_fp32(const Graph& graph, const Dataset& data, const EvalOptions& opt) {
  const Fp32Executor exec(graph);
  return evaluate(data, opt, [&](const Tensor& x, int32_t* pred, std::mutex&, EvalResult&) {
    const Tensor y = exec.run(x);
    const int64_t rows = y.dim(0), cols = y.size() / rows;
    for (int64_t i = 0; i < rows; ++i) pred[i] = argmax_row(y.ptr() + i * cols, cols);
  });
}

EvalResult evaluate_fake_quant(const FakeQuantNet& net, const Dataset& data, const EvalOptions& opt) {
  return evaluate(data, opt, [&](const Tensor& x, int32_t* pred, std::mutex&, EvalResult&) {
    const Tensor y = net.run(x);
    const int64_t rows = y.dim(0), cols = y.size() / rows;
    for (int64_t i = 0; i < rows; ++i) pred[i] = argmax_row(y.ptr() + i * cols, cols);
  });
}

FakeQuantGap fake_quant_gap(const EvalResult& integer, const EvalResult& fake_quant) {
  if (integer.images != fake_quant.images || integer.predictions.size() != fake_quant.predictions.size())
    throw InputError("fake-quant gap: " + std::to_string(integer.images) + " integer vs " +
                     std::to_string(fake_quant.images) + " fake-quant images");
  FakeQuantGap g;
  g.gap_pp = integer.top1_percent() - fake_quant.top1_percent();
  g.images = integer.images;
  for (size_t i = 0; i < integer.predictions.size(); ++i) g.agree += integer.predictions[i] == fake_quant.predictions[i];
  return g;
}

EvalResult evaluate_golden(const Network& net, const Dataset& data, const EvalOptions& opt) {
  const GoldenExecutor exec(net);
  return evaluate(data, opt, [&](const Tensor& x, int32_t* pred, std::mutex& mu, EvalResult& r) {
    std::vector<LayerStats> stats;
    const IntTensor y = exec.run(exec.quantize_input(x), &stats);
    const int64_t rows = y.dim(0), cols = y.size() / rows;
    for (int64_t i = 0; i < rows; ++i) pred[i] = argmax_row(y.ptr() + i * cols, cols);
    std::lock_guard<std::mutex> lock(mu);
    if (r.layers.empty()) r.layers.resize(stats.size());
    for (size_t i = 0; i < stats.size(); ++i) {
      r.layers[i].outputs += stats[i].outputs;
      r.layers[i].overflows += stats[i].overflows;
    }
  });
}

}  // namespace qarray
