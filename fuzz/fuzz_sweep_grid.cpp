// libFuzzer target: the sweep-grid parser (JSON, keys, value lists, every point's arch).
#include <string>

#include "explore/sweep_grid.h"
#include "base/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const qarray::explore::SweepGrid grid = qarray::explore::parse_sweep_grid(text, "fuzz.json");
    for (const auto& p : qarray::explore::sweep_points(grid)) qarray::explore::point_arch(grid, p);
  } catch (const qarray::Error&) {
  }
  return 0;
}
