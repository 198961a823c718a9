// The real-size network: networks/mobilenetv2_224.onnx (torchvision's MobileNetV2 at 224x224x3,
// random weights, networks/make_mobilenetv2_224.py) runs `qarray run --synthetic` end to end on
// the ws16 cycle model, every layer bit-exact with golden. Its MACs per image are counted here
// from the architecture's table (Sandler et al. 2018, Table 2: the inverted-residual settings
// t, c, n, s) and must be what the importer and lowering see. About 5 s in Release; labelled
// slow, so the sanitized tree (ctest -L fast) leaves the 224x224 network out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "cli_runner.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::CliResult;
using testing::run_qarray;

// Stem 3x3/2 3->32 at 112x112; per block: 1x1 expand (t != 1), 3x3 depthwise (stride s on the
// first of n), 1x1 project; head 1x1 320->1280 at 7x7; classifier 1280->1000.
int64_t mobilenetv2_macs() {
  struct Stage {
    int64_t t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int64_t h = 112, cin = 32, macs = 112 * 112 * 32 * 3 * 3 * 3;
  for (const Stage& st : stages)
    for (int64_t i = 0; i < st.n; ++i) {
      const int64_t hidden = cin * st.t, ho = h / (i == 0 ? st.s : 1);
      if (st.t != 1) macs += h * h * cin * hidden;
      macs += ho * ho * hidden * 9 + ho * ho * hidden * st.c;
      h = ho;
      cin = st.c;
    }
  return macs + h * h * cin * 1280 + 1280 * 1000;
}

TEST(RealSize, MobileNetV2At224RunsSyntheticEndToEndOnWs16) {
  const fs::path out = testing::cli_temp_path("qarray_real_size", "run");
  const CliResult r = run_qarray("run --model mobilenetv2_224 --synthetic --method nearest --calib-images 2 "
                                 "--sim-images 1 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 test image(s) one at a time: every layer bit-exact with golden, same class"));
  EXPECT_THAT(r.out, HasSubstr("preprocessing: scale to [0,1], mean [0.485,0.456,0.406], std [0.229,0.224,0.225] ("));
  const nlohmann::json j = testing::read_json(out / "report.json");
  EXPECT_EQ(mobilenetv2_macs(), 300774272);
  EXPECT_EQ(j["model"]["macs_per_image"], mobilenetv2_macs());
  EXPECT_EQ(j["sim"]["bit_exact"], true);
  EXPECT_EQ(j["sim"]["per_image"]["macs"], mobilenetv2_macs());  // every MAC ran on the array
  std::map<std::string, int> kinds;
  for (const auto& l : j["sim"]["layers"]) ++kinds[l["kind"].get<std::string>()];
  // 35 convolutions (stem, 16 expands, 17 projections, head), 17 depthwise, 10 residual adds
  EXPECT_EQ(kinds, (std::map<std::string, int>{{"conv", 35}, {"depthwise", 17}, {"add", 10}, {"avgpool", 1}, {"fc", 1}}));
  EXPECT_TRUE(j["accuracy"]["int_top1"].is_null());
  EXPECT_EQ(j["arch"]["name"], "ws16");
  EXPECT_FALSE(j["energy"].is_null());
}

}  // namespace
}  // namespace qarray
