// FP32 executor: kernels against direct-loop references over many random shapes, the observer
// and thread-safety contracts, and the trained reference networks against PyTorch (logits of
// 16 images within 1e-4, and the argmax of all 10,000 Fashion-MNIST test images identical).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <thread>

#include "base/errors.h"
#include "models/fashion_mnist.h"
#include "models/fp32_executor.h"
#include "models/onnx_loader.h"
#include "models/tensor_proto.h"

namespace qarray {
namespace {

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Tensor t(shape);
  for (float& v : t.data) v = u(rng);
  return t;
}

Graph one_node_graph(const Node& node, const Shape& chw, std::map<std::string, Tensor> inits) {
  Graph g;
  g.input = "x";
  g.output = node.outputs[0];
  g.input_shape = chw;
  g.nodes = {node};
  g.initializers = std::move(inits);
  infer_shapes(g);
  return g;
}

// Direct 2-D window loops in double: the definition the im2col/GEMM path must reproduce.
// kind: 0 conv, 1 depthwise conv, 2 max pool, 3 average pool.
Tensor reference(const Tensor& x, const Node& n, const Tensor* w, const Tensor* b, int kind,
                 const Shape& out) {
  Tensor y(out);
  const int64_t c_in = x.dim(1), h = x.dim(2), wd = x.dim(3);
  for (int64_t img = 0; img < out[0]; ++img)
    for (int64_t m = 0; m < out[1]; ++m)
      for (int64_t oh = 0; oh < out[2]; ++oh)
        for (int64_t ow = 0; ow < out[3]; ++ow) {
          double acc = kind == 2 ? -INFINITY : (b ? b->data[m] : 0.0);
          int64_t count = 0;
          int64_t c0 = kind == 0 ? 0 : m, c1 = kind == 0 ? c_in : m + 1;
          for (int64_t c = c0; c < c1; ++c)
            for (int64_t ki = 0; ki < n.kernel[0]; ++ki)
              for (int64_t kj = 0; kj < n.kernel[1]; ++kj) {
                int64_t ih = oh * n.strides[0] - n.pads[0] + ki * n.dilations[0];
                int64_t iw = ow * n.strides[1] - n.pads[1] + kj * n.dilations[1];
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                double v = x.data[((img * c_in + c) * h + ih) * wd + iw];
                ++count;
                if (kind == 2) {
                  acc = std::max(acc, v);
                } else if (kind == 3) {
                  acc += v;
                } else {
                  int64_t wc = kind == 0 ? c : 0, wch = kind == 0 ? c_in : 1;
                  acc += v * w->data[((m * wch + wc) * n.kernel[0] + ki) * n.kernel[1] + kj];
                }
              }
          if (kind == 3) acc /= n.count_include_pad ? n.kernel[0] * n.kernel[1] : count;
          y.data[((img * out[1] + m) * out[2] + oh) * out[3] + ow] = static_cast<float>(acc);
        }
  return y;
}

void expect_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  for (int64_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got.data[i], want.data[i], tol) << what << " at flat index " << i;
  }
}

// Random kernels, strides, dilations, asymmetric pads and batch sizes; batch 37 with small
// maps exercises the multi-image GEMM chunks, 1x1 stride-1 the im2col-free path.
TEST(Fp32Kernels, WindowOpsMatchDirectLoopsOnRandomShapes) {
  std::mt19937 rng(42);
  auto pick = [&](std::vector<int64_t> v) { return v[rng() % v.size()]; };
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    int kind = trial % 4;
    Node n;
    n.op = kind < 2 ? OpType::Conv : kind == 2 ? OpType::MaxPool : OpType::AveragePool;
    n.name = "n";
    n.inputs = {"x"};
    n.outputs = {"y"};
    n.kernel = {pick({1, 1, 2, 3, 5}), pick({1, 2, 3, 5})};
    n.strides = {pick({1, 1, 2, 3}), pick({1, 2})};
    n.dilations = {pick({1, 1, 2}), pick({1, 2})};
    n.pads = {pick({0, 1, 2}), pick({0, 1}), pick({0, 2}), pick({0, 1})};
    if (kind >= 2) n.pads = {std::min(n.pads[0], n.kernel[0] - 1), 0, 0,
                             std::min(n.pads[3], n.kernel[1] - 1)};
    n.count_include_pad = (trial / 4) % 2;
    const int64_t c = pick({1, 3, 8}), h = pick({1, 4, 7, 12}), w = pick({2, 5, 9});
    const int64_t m = kind == 0 ? pick({1, 6, 16}) : c, batch = pick({1, 2, 37});
    if ((n.kernel[0] - 1) * n.dilations[0] + 1 > h + n.pads[0] + n.pads[2] ||
        (n.kernel[1] - 1) * n.dilations[1] + 1 > w + n.pads[1] + n.pads[3]) {
      continue;
    }
    std::map<std::string, Tensor> inits;
    if (kind < 2) {
      n.group = kind == 1 ? c : 1;
      inits["w"] = random_tensor({m, kind == 1 ? 1 : c, n.kernel[0], n.kernel[1]}, rng);
      inits["b"] = random_tensor({m}, rng);
      n.inputs = {"x", "w", "b"};
    }
    Graph g = one_node_graph(n, {c, h, w}, inits);
    Tensor x = random_tensor({batch, c, h, w}, rng);
    Tensor y = Fp32Executor(g).run(x);
    Shape out{batch};
    for (int64_t d : g.shapes.at("y")) out.push_back(d);
    Tensor want = reference(x, n, kind < 2 ? &inits["w"] : nullptr,
                            kind < 2 ? &inits["b"] : nullptr, kind, out);
    expect_close(y, want, 1e-4, "trial " + std::to_string(trial) + " kind " +
                                    std::to_string(kind) + " out " + shape_str(out));
    ++checked;
  }
  EXPECT_GT(checked, 250);  // the random shapes mostly fit
}

// x -> conv -> relu -> gap -> flatten -> fc, plus a value read by two nodes.
Graph small_net(std::mt19937& rng) {
  Graph g;
  g.input = "x";
  g.output = "fc";
  g.input_shape = {2, 6, 6};
  auto node = [](OpType op, std::vector<std::string> in, std::string out) {
    Node n;
    n.op = op;
    n.name = out;
    n.inputs = std::move(in);
    n.outputs = {std::move(out)};
    return n;
  };
  Node conv = node(OpType::Conv, {"x", "w"}, "conv");
  conv.kernel = {3, 3};
  conv.pads = {1, 1, 1, 1};
  g.nodes = {conv, node(OpType::Relu, {"conv"}, "relu"), node(OpType::Add, {"relu", "conv"}, "sum"),
             node(OpType::GlobalAveragePool, {"sum"}, "gap"),
             node(OpType::Flatten, {"gap"}, "flat"), node(OpType::Gemm, {"flat", "fcw"}, "fc")};
  g.initializers["w"] = random_tensor({4, 2, 3, 3}, rng);
  g.initializers["fcw"] = random_tensor({4, 3}, rng);
  infer_shapes(g);
  return g;
}

TEST(Fp32Executor, ObserverSeesInputThenEveryNodeOutputInOrder) {
  std::mt19937 rng(7);
  Graph g = small_net(rng);
  Tensor x = random_tensor({5, 2, 6, 6}, rng);
  std::vector<std::string> names;
  std::vector<Shape> shapes;
  Tensor last;
  Tensor y = Fp32Executor(g).run(x, [&](const std::string& name, const Tensor& t) {
    names.push_back(name);
    shapes.push_back(t.shape);
    last = t;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"x", "conv", "relu", "sum", "gap", "flat", "fc"}));
  EXPECT_EQ(shapes[1], (Shape{5, 4, 6, 6}));
  EXPECT_EQ(shapes[4], (Shape{5, 4, 1, 1}));
  EXPECT_EQ(shapes[6], (Shape{5, 3}));
  EXPECT_EQ(last.data, y.data);
  EXPECT_EQ(Fp32Executor(g).run(x).data, y.data);  // the observer changes nothing
}

TEST(Fp32Executor, SharedValueIsNotConsumedInPlaceAndInputIsUntouched) {
  std::mt19937 rng(8);
  Graph g = small_net(rng);
  Tensor x = random_tensor({1, 2, 6, 6}, rng);
  const Tensor x_copy = x;
  Tensor conv, sum;
  Fp32Executor(g).run(x, [&](const std::string& name, const Tensor& t) {
    if (name == "conv") conv = t;
    if (name == "sum") sum = t;
  });
  EXPECT_EQ(x.data, x_copy.data);
  for (int64_t i = 0; i < conv.size(); ++i) {  // sum = relu(conv) + conv
    ASSERT_EQ(sum.data[i], std::max(conv.data[i], 0.0f) + conv.data[i]) << i;
  }
}

TEST(Fp32Executor, OneExecutorOnTwoThreadsGivesTheSequentialResults) {
  std::mt19937 rng(9);
  Graph g = small_net(rng);
  const Fp32Executor exec(g);
  std::vector<Tensor> inputs, want, got(16);
  for (int i = 0; i < 16; ++i) {
    inputs.push_back(random_tensor({1 + i % 5, 2, 6, 6}, rng));
    want.push_back(exec.run(inputs.back()));
  }
  auto worker = [&](int t) {
    for (int rep = 0; rep < 20; ++rep) {
      for (int i = t; i < 16; i += 2) got[i] = exec.run(inputs[i]);
    }
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  for (int i = 0; i < 16; ++i) EXPECT_EQ(got[i].data, want[i].data) << "batch " << i;
}

// ---- against PyTorch ---------------------------------------------------------------------
// Models and vectors come from networks/train.py. QARRAY_PYTORCH_MODELS and
// QARRAY_PYTORCH_VECTORS override the two folders (to check a retrained model in place).

std::string env_or(const char* var, const std::string& fallback) {
  const char* v = std::getenv(var);
  return v && *v ? v : fallback;
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

class PyTorchReference : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    model_ = env_or("QARRAY_PYTORCH_MODELS", QARRAY_SOURCE_DIR "/networks") + "/" +
             GetParam() + ".onnx";
    vectors_ = env_or("QARRAY_PYTORCH_VECTORS", QARRAY_SOURCE_DIR "/tests/data/pytorch") + "/" +
               GetParam() + "/";
    ASSERT_TRUE(exists(model_)) << "shipped reference model missing: " << model_;
  }
  std::string model_, vectors_;
};

// First maximal index, as torch.argmax.
int argmax(const float* row, int n) {
  return static_cast<int>(std::max_element(row, row + n) - row);
}

TEST_P(PyTorchReference, LogitsOfTheFirst16ImagesMatchWithin1e4) {
  Graph g = load_onnx(model_);
  Tensor x = read_tensor_proto(vectors_ + "input_0.pb");
  Tensor want = read_tensor_proto(vectors_ + "output_0.pb");
  ASSERT_EQ(x.shape, (Shape{16, 1, 28, 28}));
  ASSERT_EQ(want.shape, (Shape{16, 10}));
  // The binding convention: the vectors are the first test images as pixel / 255.
  Tensor ours = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test).batch(0, 16);
  EXPECT_EQ(ours.data, x.data) << "input_0.pb is not pixel/255 of the first 16 test images";
  Tensor y = Fp32Executor(g).run(x);
  ASSERT_EQ(y.shape, want.shape);
  double worst = 0;
  for (int r = 0; r < 16; ++r) {
    const float* w = want.ptr() + r * 10;
    double scale = std::abs(*std::max_element(w, w + 10, [](float a, float b) {
      return std::abs(a) < std::abs(b);
    }));
    for (int k = 0; k < 10; ++k) {
      double rel = std::abs(y.data[r * 10 + k] - w[k]) / std::max(scale, 1e-6);
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-4) << "image " << r << " class " << k << ": got " << y.data[r * 10 + k]
                           << ", PyTorch " << w[k];
    }
  }
  RecordProperty("max_relative_error", std::to_string(worst));
  std::cout << "[ info     ] " << GetParam() << ": max relative logit error " << worst << "\n";
}

TEST_P(PyTorchReference, ArgmaxOfAll10000TestImagesMatches) {
  Graph g = load_onnx(model_);
  const Fp32Executor exec(g);
  Dataset test = load_fashion_mnist(kDefaultFashionMnistDir, Split::Test);
  std::ifstream f(vectors_ + "predictions.bin", std::ios::binary);
  ASSERT_TRUE(f) << "missing " << vectors_ << "predictions.bin";
  std::vector<uint8_t> want((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_EQ(static_cast<int64_t>(want.size()), test.count);

  constexpr int64_t kBatch = 256;
  std::vector<uint8_t> got(test.count);
  std::vector<float> margin(test.count);  // top-1 minus top-2 logit, to explain a mismatch
  auto worker = [&](int64_t first) {
    for (int64_t b = first * kBatch; b < test.count; b += 2 * kBatch) {
      int64_t e = std::min(b + kBatch, test.count);
      Tensor y = exec.run(test.batch(b, e));
      for (int64_t i = 0; i < e - b; ++i) {
        std::vector<float> row(y.ptr() + i * 10, y.ptr() + (i + 1) * 10);
        got[b + i] = static_cast<uint8_t>(argmax(row.data(), 10));
        std::partial_sort(row.begin(), row.begin() + 2, row.end(), std::greater<float>());
        margin[b + i] = row[0] - row[1];
      }
    }
  };
  auto t0 = std::chrono::steady_clock::now();
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[ info     ] " << GetParam() << ": " << test.count << " images in " << seconds
            << " s (" << test.count / seconds << " images/s, 2 threads)\n";
  RecordProperty("seconds_10k", std::to_string(seconds));

  int mismatches = 0, correct = 0;
  for (int64_t i = 0; i < test.count; ++i) {
    correct += got[i] == test.labels[i];
    if (got[i] != want[i] && ++mismatches <= 10) {
      ADD_FAILURE() << "image " << i << ": argmax " << int(got[i]) << ", PyTorch " << int(want[i])
                    << " (our top-2 margin " << margin[i] << ")";
    }
  }
  EXPECT_EQ(mismatches, 0);
  std::cout << "[ info     ] " << GetParam() << ": accuracy " << correct / 100.0 << " %\n";
}

INSTANTIATE_TEST_SUITE_P(Models, PyTorchReference, ::testing::Values("resnet", "mobilenetv2"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qarray
