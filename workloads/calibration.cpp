#include "workloads/calibration.h"

#include <algorithm>

#include "models/fp32_executor.h"

namespace qarray {

RangeTable observe_minmax(const Graph& graph, const Tensor& images) {
  RangeTable ranges;
  const Fp32Executor exec(graph);
  const int64_t n = images.shape.at(0);
  const int64_t per = images.size() / std::max<int64_t>(n, 1);
  const int64_t batch = 128;
  for (int64_t b = 0; b < n; b += batch) {
    const int64_t e = std::min(n, b + batch);
    Shape s = images.shape;
    s[0] = e - b;
    Tensor x(s, std::vector<float>(images.data.begin() + b * per, images.data.begin() + e * per));
    exec.run(x, [&](const std::string& name, const Tensor& t) {
      if (t.data.empty()) return;
      const auto [mn, mx] = std::minmax_element(t.data.begin(), t.data.end());
      auto it = ranges.find(name);
      if (it == ranges.end()) {
        ranges[name] = {*mn, *mx};
      } else {
        it->second.lo = std::min(it->second.lo, *mn);
        it->second.hi = std::max(it->second.hi, *mx);
      }
    });
  }
  return ranges;
}

}  // namespace qarray
