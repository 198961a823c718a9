// Writes the fuzzers' seed corpora: a small ONNX model with every supported op kind the shipped
// networks use (Conv, BatchNormalization, Relu, Clip, depthwise Conv, Add, MaxPool,
// GlobalAveragePool, Flatten, Gemm), the same model lowered to a workload directory (JSON and
// blob joined by the separator fuzz_workloads.cpp splits on), the architecture presets, two
// sweep grids, and data files (.npy images and labels, PNG, JPEG, a preprocessing JSON).
// Deterministic: same bytes on every run. Usage: qarray_fuzz_seeds OUT_DIR
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "models/image_decode.h"
#include "models/npy.h"
#include "models/onnx_loader.h"
#include "workloads/network_io.h"
#include "workloads/pipeline.h"

namespace fs = std::filesystem;
namespace {

struct Builder {
  onnx::ModelProto model;
  std::mt19937 rng{7};
  onnx::GraphProto* g() { return model.mutable_graph(); }

  Builder() {
    model.set_ir_version(7);
    auto* op = model.add_opset_import();
    op->set_version(13);
    g()->set_name("seed");
    auto* in = g()->add_input();
    in->set_name("x");
    auto* type = in->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_param("N");
    for (int64_t d : {1, 8, 8}) type->mutable_shape()->add_dim()->set_dim_value(d);
  }
  void init(const std::string& name, const std::vector<int64_t>& shape, float lo, float hi) {
    auto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : shape) t->add_dims(d), n *= d;
    std::uniform_real_distribution<float> u(lo, hi);
    std::string raw(static_cast<size_t>(n) * 4, '\0');
    for (int64_t i = 0; i < n; ++i) {
      const float v = u(rng);
      std::memcpy(raw.data() + 4 * i, &v, 4);
    }
    t->set_raw_data(raw);
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins, const std::string& out) {
    auto* n = g()->add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (const auto& s : ins) n->add_input(s);
    n->add_output(out);
    return *n;
  }
  static void ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void int1(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
};

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: qarray_fuzz_seeds SOURCE_DIR OUT_DIR\n";
    return 1;
  }
  const fs::path src = argv[1], out = argv[2];
  Builder b;
  // conv 1->4 3x3 pad 1, BN, ReLU; depthwise 3x3 pad 1, ReLU6 (Clip); Add (residual);
  // max pool 2x2; pointwise conv 4->4; global average pool, flatten, fc 4->3.
  b.init("w1", {4, 1, 3, 3}, -0.5f, 0.5f);
  b.init("b1", {4}, -0.1f, 0.1f);
  auto& c1 = b.node("Conv", {"x", "w1", "b1"}, "c1");
  Builder::ints(c1, "kernel_shape", {3, 3});
  Builder::ints(c1, "pads", {1, 1, 1, 1});
  b.init("gamma", {4}, 0.5f, 1.5f);
  b.init("beta", {4}, -0.2f, 0.2f);
  b.init("mean", {4}, -0.1f, 0.1f);
  b.init("var", {4}, 0.5f, 1.0f);
  b.node("BatchNormalization", {"c1", "gamma", "beta", "mean", "var"}, "bn1");
  b.node("Relu", {"bn1"}, "r1");
  b.init("wd", {4, 1, 3, 3}, -0.5f, 0.5f);
  auto& dw = b.node("Conv", {"r1", "wd"}, "dw");
  Builder::ints(dw, "kernel_shape", {3, 3});
  Builder::ints(dw, "pads", {1, 1, 1, 1});
  Builder::int1(dw, "group", 4);
  b.init("lo", {}, 0.0f, 0.0f);
  b.init("hi", {}, 6.0f, 6.0f);
  b.node("Clip", {"dw", "lo", "hi"}, "r2");
  b.node("Add", {"r1", "r2"}, "sum");
  auto& mp = b.node("MaxPool", {"sum"}, "mp");
  Builder::ints(mp, "kernel_shape", {2, 2});
  Builder::ints(mp, "strides", {2, 2});
  b.init("wp", {4, 4, 1, 1}, -0.5f, 0.5f);
  auto& pw = b.node("Conv", {"mp", "wp"}, "pw");
  Builder::ints(pw, "kernel_shape", {1, 1});
  b.node("GlobalAveragePool", {"pw"}, "gap");
  b.node("Flatten", {"gap"}, "flat");
  b.init("wf", {3, 4}, -0.5f, 0.5f);
  b.init("bf", {3}, -0.1f, 0.1f);
  auto& fc = b.node("Gemm", {"flat", "wf", "bf"}, "logits");
  Builder::int1(fc, "transB", 1);
  b.g()->add_output()->set_name("logits");

  const fs::path onnx_path = out / "onnx" / "seed_model.onnx";
  write(onnx_path, b.model.SerializeAsString());

  // The same model lowered to workloads, calibrated on seeded random images.
  const qarray::Graph graph = qarray::load_onnx(onnx_path.string());
  qarray::Tensor calib({4, 1, 8, 8});
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& v : calib.data) v = u(rng);
  qarray::QuantSpec spec;
  const fs::path tmp = out / "workloads.tmp";
  qarray::save_network(qarray::quantize_minmax(graph, calib, spec).network, tmp.string());
  write(out / "workloads" / "seed_network",
        read(tmp / "network.json") + "\n----tensors.bin----\n" + read(tmp / "tensors.bin"));
  fs::remove_all(tmp);

  for (const auto& e : fs::directory_iterator(src / "configs"))
    if (e.path().extension() == ".json") write(out / "arch_config" / e.path().filename(), read(e.path()));

  // Data files (fuzz_data.cpp: a first byte naming the reader, then the file).
  const fs::path scratch = out / "data.tmp";
  fs::create_directories(scratch);
  auto data_seed = [&](const std::string& name, char reader, const fs::path& file) {
    write(out / "data" / name, std::string(1, reader) + read(file));
  };
  std::vector<uint8_t> u8(2 * 16);
  for (size_t i = 0; i < u8.size(); ++i) u8[i] = static_cast<uint8_t>(i * 8);
  qarray::write_npy((scratch / "u8.npy").string(), "|u1", {2, 1, 4, 4}, u8.data(), u8.size());
  data_seed("npy_uint8", 0, scratch / "u8.npy");
  std::vector<float> f32(2 * 16, 0.25f);
  qarray::write_npy((scratch / "f32.npy").string(), "<f4", {2, 1, 4, 4}, f32.data(), f32.size() * 4);
  data_seed("npy_float32", 0, scratch / "f32.npy");
  const std::vector<int64_t> labels = {3, 1, 4};
  qarray::write_npy((scratch / "labels.npy").string(), "<i8", {3}, labels.data(), 24);
  data_seed("npy_labels", 3, scratch / "labels.npy");
  qarray::Image8 rgb{5, 7, 3, {}}, gray{6, 4, 1, {}};
  for (int i = 0; i < 5 * 7 * 3; ++i) rgb.pixels.push_back(static_cast<uint8_t>(i * 37));
  for (int i = 0; i < 6 * 4; ++i) gray.pixels.push_back(static_cast<uint8_t>(i * 11));
  qarray::write_png((scratch / "rgb.png").string(), rgb);
  data_seed("png_rgb", 1, scratch / "rgb.png");
  qarray::write_png((scratch / "gray.png").string(), gray);
  data_seed("png_gray", 1, scratch / "gray.png");
  qarray::write_jpeg((scratch / "rgb.jpg").string(), rgb, 90);
  data_seed("jpeg_rgb", 1, scratch / "rgb.jpg");
  data_seed("preprocess_json", 2, src / "networks" / "mobilenetv2_224.preprocess.json");
  fs::remove_all(scratch);

  // Sweep grids: the benchmark grid and one with every key.
  write(out / "sweep_grid" / "sweep27.json", read(src / "bench" / "sweep27.json"));
  write(out / "sweep_grid" / "every_key.json",
        R"({"model": "mobilenetv2", "arch": "edge8", "array": [[4, 4], [8, 16]], "dataflow": ["ws", "os", "is"],
 "weight_bits": [4, 8], "act_bits": [8], "method": ["nearest", "cle+bc"], "ifmap_kib": [16, 64],
 "weight_kib": [32], "ofmap_kib": [64], "dram_bytes_per_cycle": [8, 16.5],
 "energy_table": ["horowitz45", "aladdin40"], "eval_images": 100, "calib_images": 64, "sim_images": 1,
 "data": "images.npy", "labels": "labels.npy"}
)");
  return 0;
}
