// ONNX's own backend test data (Debian libonnx-testdata, installed by scripts/setup): every case
// is imported and run on the FP32 executor (graph inputs after the first bound as constants when
// the model needs them constant: the weights of node tests). A case either passes (every output value within the
// backend's tolerance, |got - want| <= 1e-7 + 1e-3 |want|), or is refused with a typed error
// naming what is missing. A case that runs and gives a wrong value fails the test, listed or
// not. The cases expected to pass are tests/data/onnx_backend_expected_pass.txt: each must pass,
// and a case that passes must be listed (the list only grows; add a case when support for it
// lands). The test prints the pass counts per folder and the refusal reasons (README numbers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "models/onnx_loader.h"
#include "models/tensor_proto.h"

namespace qarray {
namespace {

namespace fs = std::filesystem;

const char* kDataDir = "/usr/share/libonnx-testdata/data";

struct CaseResult {
  enum Kind { Pass, Refused, Wrong } kind = Refused;
  std::string detail;  // the refusal message or the first wrong value
};

std::vector<std::string> sorted_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) files.push_back(e.path().string());
  }
  // input_0.pb .. input_10.pb: numeric order.
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return files;
}

// One data set: the model with every graph input fed, or (when that is refused) with the inputs
// after the first bound as constants, as the weights of node tests are given.
CaseResult run_set(const fs::path& dir, const fs::path& set) {
  const std::vector<std::string> in_files = sorted_files(set, "input_");
  const std::vector<std::string> outs = sorted_files(set, "output_");
  if (outs.size() != 1) return {CaseResult::Refused, std::to_string(outs.size()) + " reference outputs"};
  onnx::ModelProto model;
  std::ifstream mf(dir / "model.onnx", std::ios::binary);
  if (!model.ParseFromIstream(&mf)) return {CaseResult::Refused, "unreadable model"};
  std::vector<std::string> names;  // graph inputs that are not initializers, in order
  std::set<std::string> inits;
  for (const auto& t : model.graph().initializer()) inits.insert(t.name());
  for (const auto& vi : model.graph().input())
    if (!inits.count(vi.name())) names.push_back(vi.name());
  Tensor want;
  Tensor got;
  std::string refusal;
  for (int bind = 0; bind < 2; ++bind) {
    if (bind && in_files.size() < 2) break;
    try {
      ImportOptions opt;
      if (bind)
        for (size_t i = 1; i < in_files.size() && i < names.size(); ++i) opt.bound_inputs[names[i]] = in_files[i];
      const Graph g = load_onnx((dir / "model.onnx").string(), opt);
      std::vector<Tensor> inputs;
      for (size_t i = 0; i < (bind ? 1 : in_files.size()); ++i) inputs.push_back(read_tensor_proto(in_files[i]));
      want = read_tensor_proto(outs[0]);
      got = Fp32Executor(g).run_inputs(inputs);
      refusal.clear();
      break;
    } catch (const Error& e) {
      if (refusal.empty()) refusal = e.what();
    }
  }
  if (!refusal.empty()) return {CaseResult::Refused, refusal};
  if (got.shape != want.shape && !(got.size() == want.size() && got.size() == 1))
    return {CaseResult::Wrong, set.filename().string() + ": output shape " + shape_str(got.shape) + ", expected " +
                                   shape_str(want.shape)};
  for (int64_t i = 0; i < want.size(); ++i) {
    const float a = got.data[i], b = want.data[i];
    const bool ok = (std::isnan(a) && std::isnan(b)) || a == b || std::fabs(a - b) <= 1e-7f + 1e-3f * std::fabs(b);
    if (!ok)
      return {CaseResult::Wrong, set.filename().string() + ": output " + std::to_string(i) + " is " + std::to_string(a) +
                                     ", expected " + std::to_string(b)};
  }
  return {CaseResult::Pass, ""};
}

CaseResult run_case(const fs::path& dir) {
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {CaseResult::Refused, "no test data set"};
  for (const fs::path& set : sets) {
    const CaseResult r = run_set(dir, set);
    if (r.kind != CaseResult::Pass) return r;
  }
  return {CaseResult::Pass, ""};
}

// The refusal reason without the file path, for the summary.
std::string reason_of(const std::string& msg) {
  std::string r = msg;
  const size_t model = r.find("model.onnx: ");
  if (model != std::string::npos) r = r.substr(model + 12);
  return r.substr(0, 160);
}

TEST(OnnxBackend, EverySupportedCasePassesAndTheExpectedListIsExact) {
  ASSERT_TRUE(fs::is_directory(kDataDir)) << kDataDir << " is missing: scripts/setup installs libonnx-testdata";
  std::set<std::string> expected;
  std::ifstream list(std::string(QARRAY_SOURCE_DIR) + "/tests/data/onnx_backend_expected_pass.txt");
  ASSERT_TRUE(list) << "tests/data/onnx_backend_expected_pass.txt is missing";
  for (std::string line; std::getline(list, line);)
    if (!line.empty() && line[0] != '#') expected.insert(line);

  std::vector<fs::path> cases;
  for (const auto& folder : fs::directory_iterator(kDataDir))
    for (const auto& c : fs::directory_iterator(folder.path()))
      if (fs::exists(c.path() / "model.onnx")) cases.push_back(c.path());
  std::sort(cases.begin(), cases.end());
  ASSERT_GT(cases.size(), 1000u);

  std::map<std::string, std::pair<int, int>> per_folder;  // folder -> (passed, cases)
  std::map<std::string, int> reasons;
  std::set<std::string> passed;
  for (const fs::path& c : cases) {
    const std::string id = c.parent_path().filename().string() + "/" + c.filename().string();
    const CaseResult r = run_case(c);
    auto& counts = per_folder[c.parent_path().filename().string()];
    ++counts.second;
    EXPECT_NE(r.kind, CaseResult::Wrong) << id << ": " << r.detail;
    if (r.kind == CaseResult::Pass) {
      ++counts.first;
      passed.insert(id);
      EXPECT_TRUE(expected.count(id)) << id << " passes: add it to tests/data/onnx_backend_expected_pass.txt";
    } else {
      EXPECT_FALSE(expected.count(id)) << id << " is expected to pass but: " << r.detail;
      ++reasons[reason_of(r.detail)];
      if (std::getenv("QARRAY_BACKEND_CASES")) std::cout << "refused " << id << ": " << reason_of(r.detail) << "\n";
    }
  }
  int total_pass = 0;
  std::cout << "libonnx-testdata: cases passed per folder\n";
  for (const auto& [folder, c] : per_folder) {
    std::cout << "  " << folder << ": " << c.first << " of " << c.second << "\n";
    total_pass += c.first;
  }
  std::cout << "  total: " << total_pass << " of " << cases.size() << "\n";
  if (std::getenv("QARRAY_BACKEND_REASONS")) {
    std::vector<std::pair<int, std::string>> sorted;
    for (const auto& [r, n] : reasons) sorted.push_back({n, r});
    std::sort(sorted.rbegin(), sorted.rend());
    for (const auto& [n, r] : sorted) std::cout << n << "\t" << r << "\n";
  }
}

}  // namespace
}  // namespace qarray
