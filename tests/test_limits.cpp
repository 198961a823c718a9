// The edges of what qarray supports, through the real binary: the largest array (256x256, one
// layer bit-exact with golden) and the first size past it; operand widths 2 and 16 end to end
// (PTQ, lowering, golden, cycle model, energy); accumulators so narrow that sums wrap (golden's
// overflow count reported and checked against an independent count, the cycle model still
// bit-exact); buffers so small that every layer is tiled, and one byte too small for one tile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "cli_runner.h"
#include "models/fashion_mnist.h"
#include "workloads/golden.h"
#include "workloads/network_io.h"

namespace qarray {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::CliResult;
using testing::run_qarray;

fs::path temp(const std::string& name) { return testing::cli_temp_path("qarray_limits", name); }

// An arch file: `rows` x `cols` ws array with the given widths and buffer capacities (bytes),
// one bank of 16-byte words per buffer, double buffered.
fs::path arch_file(const std::string& name, int rows, int cols, int wb, int ab, int acc, int64_t ifmap,
                   int64_t weight, int64_t ofmap) {
  const nlohmann::json buf = {{"banks", 1}, {"word_bytes", 16}, {"ports", 1}, {"double_buffer", true}};
  nlohmann::json j = {{"name", name},
                      {"array", {{"rows", rows}, {"cols", cols}, {"dataflow", "ws"}}},
                      {"weight_bits", wb},
                      {"act_bits", ab},
                      {"acc_bits", acc},
                      {"clock_mhz", 1000},
                      {"sram", {{"ifmap", buf}, {"weight", buf}, {"ofmap", buf}}},
                      {"dram", {{"bytes_per_cycle", 16}, {"latency_cycles", 100}, {"burst_bytes", 64}}}};
  j["sram"]["ifmap"]["capacity_bytes"] = ifmap;
  j["sram"]["weight"]["capacity_bytes"] = weight;
  j["sram"]["ofmap"]["capacity_bytes"] = ofmap;
  const fs::path p = testing::cli_temp_dir("qarray_limits") / (name + ".arch.json");
  std::ofstream(p) << j.dump(2);
  return p;
}

// Row `row` of a sim-layer CSV as column -> cell.
std::map<std::string, std::string> csv_row(const fs::path& csv, int row) {
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  for (int i = 0; i <= row; ++i) std::getline(in, line);
  const std::vector<std::string> h = testing::csv_cells(header), v = testing::csv_cells(line);
  std::map<std::string, std::string> m;
  for (size_t i = 0; i < h.size() && i < v.size(); ++i) m[h[i]] = v[i];
  return m;
}

// --- array size ---------------------------------------------------------------------------

TEST(Limits, Array256x256RunsALayerBitExact) {
  // A 256x256 tile of 8-bit weights is 64 KiB, 128 KiB double buffered; 1x1 conv 256 -> 256
  // channels on a 4x4 map: K = OC = 256 fill the array in one fold of P = 16 vectors.
  const fs::path arch = arch_file("a256", 256, 256, 8, 8, 32, 64 * 1024, 128 * 1024, 64 * 1024);
  const fs::path csv = temp("a256.csv");
  const CliResult r = run_qarray("sim-layer --arch " + arch.string() +
                                 " --ifmap-h 4 --ifmap-w 4 --channels 256 --filters 256 --csv " + csv.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("arch a256: 256x256 ws, W8A8"));
  EXPECT_THAT(r.out, HasSubstr("1 layer(s) bit-exact with golden"));
  auto row = csv_row(csv, 0);
  EXPECT_EQ(row["rows"], "256");
  EXPECT_EQ(row["cols"], "256");
  EXPECT_EQ(row["folds"], "1");
  EXPECT_EQ(row["macs"], std::to_string(256 * 256 * 16));
  EXPECT_EQ(row["bit_exact"], "1");
  EXPECT_DOUBLE_EQ(std::stod(row["pe_utilization"]), 256.0 * 256 * 16 / (std::stod(row["total_cycles"]) * 256 * 256));
}

TEST(Limits, Array257IsRejectedNamingTheKey) {
  const fs::path arch = arch_file("a257", 257, 16, 8, 8, 32, 65536, 65536, 65536);
  CliResult r = run_qarray("sim-layer --arch " + arch.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: " + arch.string() + ": array.rows: 257 not in [1, 256]\n");
  r = run_qarray("sim-layer --cols 257");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: " + std::string(QARRAY_SOURCE_DIR) +
                       "/configs/ws16.json with the command-line overrides: array.cols: 257 not in [1, 256]\n");
  const fs::path out = temp("a257_run");
  r = run_qarray("run --arch " + arch.string() + " --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: " + arch.string() + ": array.rows: 257 not in [1, 256]\n");
  EXPECT_FALSE(fs::exists(out));
}

// --- operand widths -----------------------------------------------------------------------

// `qarray run` of `model` quantized to W`bits`A`bits` (nearest rounding) on a 16x16 array of
// those widths with 32-bit accumulators: the cycle model equals golden on every layer of 2 test
// images, the report says so, and the saved weights span the narrow grid of that width.
// Returns the report.
nlohmann::json run_at_width(const std::string& model, int bits, CliResult* result) {
  const std::string b = std::to_string(bits), name = model + "_w" + b;
  const fs::path arch = arch_file(name, 16, 16, bits, bits, 32, 65536, 65536, 65536);
  const fs::path out = temp(name + "_run");
  const CliResult r = run_qarray("run --model " + model + " --images 16 --calib-images 16 --method nearest "
                                 "--weight-bits " + b + " --act-bits " + b + " --sim-images 2 --arch " +
                                 arch.string() + " --out " + out.string());
  *result = r;
  EXPECT_EQ(r.status, 0) << r.err;
  if (r.status != 0) return {};
  EXPECT_THAT(r.out, HasSubstr("cycle model: arch " + name + " (16x16 ws, W" + b + "A" + b +
                               ", 32-bit accumulators, 1000 MHz), 2 test image(s) one at a time: every layer "
                               "bit-exact with golden, same class"));
  const auto j = testing::read_json(out / "report.json");
  EXPECT_EQ(j.at("quantization").at("weight_bits"), bits);
  EXPECT_EQ(j.at("quantization").at("act_bits"), bits);
  EXPECT_EQ(j.at("sim").at("arch").at("weight_bits"), bits);
  EXPECT_EQ(j.at("sim").at("bit_exact"), true);
  EXPECT_EQ(j.at("sim").at("per_image").at("macs"), j.at("model").at("macs_per_image"));
  EXPECT_GT(j.at("energy").at("int").at("total").at("total_pj").get<double>(), 0.0);
  const Network net = load_network((out / "workloads").string());
  const int32_t wmax = (1 << (bits - 1)) - 1;
  int32_t seen = 0;
  for (const Layer& l : net.layers)
    for (int32_t w : l.weights) seen = std::max(seen, std::abs(w));
  EXPECT_EQ(seen, wmax);  // none beyond the grid, and min-max ranges put the largest on its edge
  return j;
}

// Outputs whose exact sum left the accumulator, over the report's layers, and all outputs.
std::pair<int64_t, int64_t> overflow_count(const nlohmann::json& report) {
  int64_t overflows = 0, outputs = 0;
  for (const auto& l : report.at("layers"))
    overflows += l.at("overflows").get<int64_t>(), outputs += l.at("outputs").get<int64_t>();
  return {overflows, outputs};
}

TEST(Limits, OperandWidth2EndToEnd) {
  CliResult r;
  const nlohmann::json j = run_at_width("mobilenetv2", 2, &r);
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(overflow_count(j).first, 0);
}

TEST(Limits, OperandWidth16EndToEnd) {
  // 16 x 16-bit products reach 2^31: 32-bit accumulators (the most the arch allows) wrap, the
  // wraps are counted and printed, and the cycle model wraps the same way (still bit-exact).
  CliResult r;
  const nlohmann::json j = run_at_width("resnet", 16, &r);
  ASSERT_FALSE(j.is_null());
  const auto [overflows, outputs] = overflow_count(j);
  EXPECT_GT(overflows, 0);
  EXPECT_THAT(r.out, HasSubstr("accumulator overflows: " + std::to_string(overflows) + " of " +
                               std::to_string(outputs) + " outputs"));
}

TEST(Limits, Width16ActivationsWhoseBiasFoldOverflowsAreRejected) {
  // mobilenetv2 at A16: a block input after a residual add has a zero point of thousands, so
  // bias' = round(b/(s_w*s_x)) - z_x*sum(w_q) leaves the int32 bias register.
  const fs::path out = temp("w16_mobilenet");
  const CliResult r = run_qarray("run --model mobilenetv2 --images 16 --calib-images 16 --method nearest "
                                 "--weight-bits 16 --act-bits 16 --sim-images 0 --out " + out.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("qarray: error: cannot lower Conv node '/blocks/blocks.1/block/block.0/Conv': folded "
                               "bias of channel 7 does not fit in 32 bits: round(b/(s_w*s_x)) - z_x*sum(w_q) = "));
  EXPECT_TRUE(testing::one_line(r.err)) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

// --- accumulators at their edge -----------------------------------------------------------

// Overflows of layer 0 (a conv on the network input) counted here with int64 loops over the
// quantized input: outputs whose exact sum bias' + sum w*x (padding reads z_x) leaves acc_bits.
int64_t first_layer_overflows(const Network& net, const IntTensor& x) {
  const Layer& l = net.layers[0];
  const ActTensor& in = net.tensors[l.inputs[0]];
  const ActTensor& out = net.tensors[l.output];
  const int64_t N = x.shape[0], C = in.shape[0], H = in.shape[1], W = in.shape[2];
  const int64_t OC = out.shape[0], OH = out.shape[1], OW = out.shape[2];
  const Window& w = l.window;
  const int64_t lo = -(int64_t{1} << (net.acc_bits - 1)), hi = (int64_t{1} << (net.acc_bits - 1)) - 1;
  int64_t overflows = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oc = 0; oc < OC; ++oc)
      for (int64_t oy = 0; oy < OH; ++oy)
        for (int64_t ox = 0; ox < OW; ++ox) {
          int64_t sum = l.bias[oc];
          for (int64_t c = 0; c < C; ++c)
            for (int64_t ky = 0; ky < w.kh; ++ky)
              for (int64_t kx = 0; kx < w.kw; ++kx) {
                const int64_t y = oy * w.stride_h - w.pad_top + ky, xx = ox * w.stride_w - w.pad_left + kx;
                const int64_t v = y < 0 || y >= H || xx < 0 || xx >= W ? in.quant.zero_point
                                                                       : x.data[((n * C + c) * H + y) * W + xx];
                sum += int64_t{l.weights[((oc * C + c) * w.kh + ky) * w.kw + kx]} * v;
              }
          overflows += sum < lo || sum > hi;
        }
  return overflows;
}

TEST(Limits, NarrowAccumulatorsWrapAreCountedAndStayBitExact) {
  // W8A8 with 16-bit accumulators: the narrowest the arch allows (acc_bits >= 8 + 8).
  const fs::path arch = arch_file("acc16", 16, 16, 8, 8, 16, 65536, 65536, 65536);
  const fs::path out = temp("acc16_run");
  const CliResult r = run_qarray("run --images 16 --calib-images 16 --acc-bits 16 --sim-images 2 --arch " +
                                 arch.string() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("16-bit accumulators, 1000 MHz), 2 test image(s) one at a time: every layer "
                               "bit-exact with golden, same class"));
  const auto j = testing::read_json(out / "report.json");
  const auto [overflows, outputs] = overflow_count(j);
  EXPECT_GT(overflows, 0);
  EXPECT_THAT(r.out, HasSubstr("accumulator overflows: " + std::to_string(overflows) + " of " +
                               std::to_string(outputs) + " outputs"));

  // Layer 0's count, independently, on the same 16 quantized test images.
  const Network net = load_network((out / "workloads").string());
  ASSERT_EQ(net.acc_bits, 16);
  ASSERT_EQ(net.layers[0].kind, LayerKind::Conv);
  const Dataset test = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
  const IntTensor x = GoldenExecutor(net).quantize_input(test.batch(0, 16));
  const int64_t want = first_layer_overflows(net, x);
  EXPECT_GT(want, 0);
  EXPECT_EQ(j.at("layers")[0].at("overflows").get<int64_t>(), want);

  // The same network with 32-bit accumulators: nothing wraps.
  const fs::path out32 = temp("acc32_run");
  const CliResult r32 = run_qarray("run --images 16 --calib-images 16 --sim-images 0 --out " + out32.string());
  ASSERT_EQ(r32.status, 0) << r32.err;
  EXPECT_THAT(r32.out, HasSubstr("accumulator overflows: 0 of " + std::to_string(outputs) + " outputs"));
}

// --- buffers ------------------------------------------------------------------------------

TEST(Limits, TinyBuffersTileEveryLayerAndStayBitExact) {
  // 8x8 ws. 3x3 conv 8 -> 16 channels on 6x6, pad 1: K = 72, OC = 16, P = 36. Per fold the
  // weight tile is 8x8 bytes (64, 128 double buffered), an input vector 8 bytes and a row of
  // accumulators 8 x 4 bytes. ifmap 32 B (16 per tile: 2 vectors) and ofmap 128 B (64 per tile:
  // 2 rows) give p_tile = 2, so folds = ceil(72/8) * ceil(16/8) * ceil(36/2) = 9 * 2 * 18.
  const fs::path tiny = arch_file("tiny", 8, 8, 8, 8, 32, 32, 128, 128);
  const fs::path roomy = arch_file("roomy", 8, 8, 8, 8, 32, 65536, 65536, 65536);
  const std::string layer = " --ifmap-h 6 --ifmap-w 6 --filter-h 3 --filter-w 3 --pad 1 --channels 8 --filters 16";
  const fs::path csv_tiny = temp("tiny.csv"), csv_roomy = temp("roomy.csv");
  CliResult r = run_qarray("sim-layer --arch " + tiny.string() + layer + " --csv " + csv_tiny.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 layer(s) bit-exact with golden"));
  r = run_qarray("sim-layer --arch " + roomy.string() + layer + " --csv " + csv_roomy.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto t = csv_row(csv_tiny, 0), big = csv_row(csv_roomy, 0);
  EXPECT_EQ(t.at("folds"), std::to_string(9 * 2 * 18));
  EXPECT_EQ(big.at("folds"), std::to_string(9 * 2 * 1));  // all 36 vectors in one p tile
  EXPECT_EQ(t.at("macs"), big.at("macs"));
  EXPECT_EQ(t.at("bit_exact"), "1");
  EXPECT_GT(std::stoll(t.at("total_cycles")), std::stoll(big.at("total_cycles")));
}

TEST(Limits, TinyBuffersRunAWholeNetworkBitExact) {
  // 8x8 ws with buffers a few times the least one fold needs (also for the FP32 twin's 4-byte
  // words): ifmap 128 B per tile holds 16 input vectors, ofmap 256 B 8 rows of accumulators, so
  // every conv and depthwise layer (at least 49 output pixels) is cut into more p tiles than
  // with 64 KiB buffers, and the whole network still runs bit-exact with golden.
  const fs::path small = arch_file("small8", 8, 8, 8, 8, 32, 256, 1024, 512);
  const fs::path roomy = arch_file("roomy8", 8, 8, 8, 8, 32, 65536, 65536, 65536);
  nlohmann::json layers[2];
  for (const fs::path& arch : {small, roomy}) {
    const fs::path out = temp(arch.stem().string() + "_run");
    const CliResult r = run_qarray("run --images 16 --calib-images 16 --sim-images 1 --arch " + arch.string() +
                                   " --out " + out.string());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("every layer bit-exact with golden, same class"));
    layers[arch == roomy] = testing::read_json(out / "report.json").at("sim").at("layers");
  }
  ASSERT_EQ(layers[0].size(), layers[1].size());
  int tiled = 0;
  for (size_t i = 0; i < layers[0].size(); ++i) {
    const auto &s = layers[0][i], &b = layers[1][i];
    EXPECT_EQ(s.at("macs"), b.at("macs"));
    if (s.at("kind") == "conv" || s.at("kind") == "depthwise") {
      EXPECT_GT(s.at("folds").get<int64_t>(), b.at("folds").get<int64_t>()) << s.at("name");
      ++tiled;
    }
  }
  EXPECT_GT(tiled, 10);
}

TEST(Limits, BufferOneTileTooSmallNamesTheBufferAndTheMinimum) {
  // An 8x8 tile of 8-bit weights needs 64 bytes, 128 double buffered: 112 is one word short.
  const fs::path arch = arch_file("short8", 8, 8, 8, 8, 32, 65536, 112, 65536);
  const CliResult r = run_qarray("sim-layer --arch " + arch.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "qarray: error: --arch " + arch.string() +
                       ": arch 'short8': sram.weight.capacity_bytes 112 is too small for one rows x cols "
                       "weight tile; needs at least 128 bytes (double buffered) for layer 'layer' (conv)\n");
}

}  // namespace
}  // namespace qarray
