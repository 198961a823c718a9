// ONNX import + FP32 execution of every supported op on small models built in C++ with the
// protobuf API, checked against hand-computed outputs; and the import errors a user can hit
// (missing, truncated, garbage files, unsupported ops and attribute values).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <random>

#include "base/errors.h"
#include "models/fp32_executor.h"
#include "models/onnx_loader.h"

namespace qarray {
namespace {

using ::testing::HasSubstr;

void attr_i(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void attr_f(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void attr_s(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
void attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

onnx::TensorProto float_proto(const std::string& name, const Shape& shape,
                              const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape) t.add_dims(d);
  for (float v : values) t.add_float_data(v);
  return t;
}

// A one-input, one-output ONNX model assembled node by node.
class OnnxBuilder {
 public:
  explicit OnnxBuilder(const Shape& chw, int opset = 13) {
    model_.set_ir_version(7);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    g()->set_name("test");
    auto* in = g()->add_input();
    in->set_name("x");
    auto* type = in->mutable_type()->mutable_tensor_type();
    type->set_elem_type(onnx::TensorProto::FLOAT);
    type->mutable_shape()->add_dim()->set_dim_param("N");
    for (int64_t d : chw) type->mutable_shape()->add_dim()->set_dim_value(d);
  }

  onnx::GraphProto* g() { return model_.mutable_graph(); }

  void output(const std::string& name) { g()->add_output()->set_name(name); }

  // Stored as raw little-endian bytes, the form exporters use.
  void init(const std::string& name, const Shape& shape, const std::vector<float>& values) {
    onnx::TensorProto t = float_proto(name, shape, values);
    t.clear_float_data();
    std::string raw(values.size() * 4, '\0');
    std::memcpy(raw.data(), values.data(), raw.size());
    t.set_raw_data(raw);
    *g()->add_initializer() = t;
  }
  void init_i64(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = g()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs, const std::string& name = "") {
    auto* n = g()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + std::to_string(g()->node_size()) : name);
    for (const auto& s : ins) n->add_input(s);
    for (const auto& s : outs) n->add_output(s);
    return *n;
  }

  std::string bytes() const { return model_.SerializeAsString(); }

  std::string save(const std::string& file) const {
    std::string path = ::testing::TempDir() + file;
    std::ofstream(path, std::ios::binary) << bytes();
    return path;
  }

 private:
  onnx::ModelProto model_;
};

Tensor run(const OnnxBuilder& b, const std::string& file, const Tensor& x) {
  Graph g = load_onnx(b.save(file));
  return Fp32Executor(g).run(x);
}

void expect_tensor(const Tensor& got, const Shape& shape, const std::vector<float>& want,
                   float tol = 1e-5f) {
  ASSERT_EQ(got.shape, shape) << shape_str(got.shape);
  ASSERT_EQ(got.data.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.data[i], want[i], tol) << "at " << i;
}

Tensor iota(const Shape& shape, float start = 1.0f, float step = 1.0f) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t.data[i] = start + step * static_cast<float>(i);
  return t;
}

// Padded (top 1, right 1) input, stride 2 rows x 1 column:
//   0 0 0 0 / 1 2 3 0 / 4 5 6 0 / 7 8 9 0; windows start at padded rows 0 and 2.
TEST(OnnxConv, AsymmetricPadsAndStridesWithBias) {
  OnnxBuilder b({1, 3, 3});
  b.init("w", {2, 1, 2, 2}, {1, 1, 1, 1, /* ch1 */ 1, 0, 0, -1});
  b.init("b", {2}, {0.5f, -1.0f});
  auto& n = b.node("Conv", {"x", "w", "b"}, {"y"}, "conv");
  attr_ints(n, "kernel_shape", {2, 2});
  attr_ints(n, "pads", {1, 0, 0, 1});  // top, left, bottom, right
  attr_ints(n, "strides", {2, 1});
  b.output("y");
  expect_tensor(run(b, "conv.onnx", iota({1, 1, 3, 3})), {1, 2, 2, 3},
                {3.5f, 5.5f, 3.5f, 24.5f, 28.5f, 15.5f,  // sums + 0.5
                 -3, -4, -1, -5, -5, 5});                // top-left - bottom-right - 1
}

TEST(OnnxConv, WeightsFromConstantNodeAndBatchOfTwo) {
  OnnxBuilder b({1, 2, 2});
  auto& c = b.node("Constant", {}, {"w"}, "wconst");
  auto* a = c.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = float_proto("", {1, 1, 1, 1}, {3.0f});
  b.node("Conv", {"x", "w"}, {"y"}, "conv1x1");  // kernel_shape omitted: taken from w
  b.output("y");
  Graph g = load_onnx(b.save("const_conv.onnx"));
  ASSERT_EQ(g.nodes.size(), 1u);  // the Constant is folded, not a node
  EXPECT_TRUE(g.is_init("w"));
  EXPECT_EQ(g.nodes[0].kernel, (Shape{1, 1}));
  expect_tensor(Fp32Executor(g).run(iota({2, 1, 2, 2})), {2, 1, 2, 2},
                {3, 6, 9, 12, 15, 18, 21, 24});
}

TEST(OnnxConv, Depthwise) {
  OnnxBuilder b({2, 2, 2});
  b.init("w", {2, 1, 2, 2}, {1, 1, 1, 1, /* ch1 */ 1, 0, 0, 2});
  b.init("b", {2}, {1.0f, -1.0f});
  auto& n = b.node("Conv", {"x", "w", "b"}, {"y"}, "dw");
  attr_i(n, "group", 2);
  attr_ints(n, "pads", {0, 0, 1, 1});
  b.output("y");
  // ch0 [[1,2],[3,4]] padded right/bottom, ones kernel; ch1 [[5,6],[7,8]], kernel 1 . / . 2.
  expect_tensor(run(b, "dw.onnx", iota({1, 2, 2, 2})), {1, 2, 2, 2},
                {11, 7, 8, 5, /* ch1 */ 20, 5, 6, 7});
}

TEST(OnnxFullyConnected, GemmTransBAlphaBeta) {
  OnnxBuilder b({3, 1, 1});
  b.init("B", {2, 3}, {1, 0, 1, 0, 1, -1});
  b.init("C", {2}, {10, 20});
  b.node("Flatten", {"x"}, {"f"});
  auto& n = b.node("Gemm", {"f", "B", "C"}, {"y"}, "fc");
  attr_i(n, "transB", 1);
  attr_f(n, "alpha", 2.0f);
  attr_f(n, "beta", 0.5f);
  b.output("y");
  Tensor x(Shape{2, 3, 1, 1}, std::vector<float>{1, 2, 3, -1, 0, 1});
  // x0.B^T = [4,-1] -> 2*[4,-1] + [5,10]; x1.B^T = [0,-1] -> [5, 8].
  expect_tensor(run(b, "gemm.onnx", x), {2, 2}, {13, 8, 5, 8});
}

TEST(OnnxFullyConnected, MatMul) {
  OnnxBuilder b({3, 1, 1});
  b.init("B", {3, 2}, {1, 2, 3, 4, 5, 6});
  b.node("Flatten", {"x"}, {"f"});
  b.node("MatMul", {"f", "B"}, {"y"});
  b.output("y");
  Tensor x(Shape{2, 3, 1, 1}, std::vector<float>{1, 2, 3, -1, 0, 1});
  expect_tensor(run(b, "matmul.onnx", x), {2, 2}, {22, 28, 4, 4});
}

TEST(OnnxElementwise, BatchNormalization) {
  OnnxBuilder b({2, 1, 2});
  b.init("scale", {2}, {3, 0.5f});
  b.init("bias", {2}, {1, 0});
  b.init("mean", {2}, {1, 2});
  b.init("var", {2}, {3.99f, 0.99f});
  auto& n = b.node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  attr_f(n, "epsilon", 0.01f);
  b.output("y");
  Tensor x(Shape{1, 2, 1, 2}, std::vector<float>{1, 3, 2, 4});
  // ch0: (x-1)/2*3+1 ; ch1: (x-2)/1*0.5
  expect_tensor(run(b, "bn.onnx", x), {1, 2, 1, 2}, {1, 4, 0, 1});
}

TEST(OnnxElementwise, ReluAndAddOfTwoBranches) {
  OnnxBuilder b({4, 1, 1});
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"r", "x"}, {"y"});
  b.output("y");
  Tensor x(Shape{1, 4, 1, 1}, std::vector<float>{-1, 2, -3, 4});
  expect_tensor(run(b, "add.onnx", x), {1, 4, 1, 1}, {-1, 4, -3, 8});
}

TEST(OnnxElementwise, AddOfAValueWithItself) {
  OnnxBuilder b({3, 1, 1});
  b.node("Relu", {"x"}, {"r"});
  b.node("Add", {"r", "r"}, {"y"});
  b.output("y");
  Tensor x(Shape{1, 3, 1, 1}, std::vector<float>{-1, 2, 5});
  expect_tensor(run(b, "addself.onnx", x), {1, 3, 1, 1}, {0, 4, 10});
}

TEST(OnnxElementwise, ClipBoundsAsAttributes) {
  OnnxBuilder b({4, 1, 1}, /*opset=*/6);
  auto& n = b.node("Clip", {"x"}, {"y"}, "clip");
  attr_f(n, "min", -1.0f);
  attr_f(n, "max", 2.0f);
  b.output("y");
  Tensor x(Shape{1, 4, 1, 1}, std::vector<float>{-3, -0.5f, 1.5f, 5});
  expect_tensor(run(b, "clip6.onnx", x), {1, 4, 1, 1}, {-1, -0.5f, 1.5f, 2});
}

TEST(OnnxElementwise, ClipBoundsAsInitializerAndConstantInputs) {
  OnnxBuilder b({4, 1, 1});
  b.init("lo", {}, {0.0f});
  auto& c = b.node("Constant", {}, {"hi"});
  attr_f(c, "value_float", 6.0f);
  b.node("Clip", {"x", "lo", "hi"}, {"y"}, "relu6");
  b.output("y");
  Graph g = load_onnx(b.save("clip13.onnx"));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].clip_min, 0.0f);
  EXPECT_EQ(g.nodes[0].clip_max, 6.0f);
  EXPECT_EQ(g.nodes[0].inputs, std::vector<std::string>{"x"});
  Tensor x(Shape{1, 4, 1, 1}, std::vector<float>{-3, 3, 7, 6.5f});
  expect_tensor(Fp32Executor(g).run(x), {1, 4, 1, 1}, {0, 3, 6, 6});
}

TEST(OnnxElementwise, ClipWithOmittedMin) {
  OnnxBuilder b({3, 1, 1});
  b.init("hi", {1}, {1.0f});
  b.node("Clip", {"x", "", "hi"}, {"y"});
  b.output("y");
  Tensor x(Shape{1, 3, 1, 1}, std::vector<float>{-30, 0.5f, 7});
  expect_tensor(run(b, "clipmax.onnx", x), {1, 3, 1, 1}, {-30, 0.5f, 1});
}

TEST(OnnxPool, MaxPoolStride2) {
  OnnxBuilder b({1, 4, 4});
  auto& n = b.node("MaxPool", {"x"}, {"y"});
  attr_ints(n, "kernel_shape", {2, 2});
  attr_ints(n, "strides", {2, 2});
  b.output("y");
  expect_tensor(run(b, "maxpool.onnx", iota({1, 1, 4, 4})), {1, 1, 2, 2}, {6, 8, 14, 16});
}

TEST(OnnxPool, MaxPoolPaddingNeverWins) {
  OnnxBuilder b({1, 4, 4});
  auto& n = b.node("MaxPool", {"x"}, {"y"});
  attr_ints(n, "kernel_shape", {3, 3});
  attr_ints(n, "strides", {2, 2});
  attr_ints(n, "pads", {1, 1, 1, 1});
  b.output("y");
  // All inputs negative (-1..-16): a zero from the padding would be the max if it counted.
  expect_tensor(run(b, "maxpoolpad.onnx", iota({1, 1, 4, 4}, -1, -1)), {1, 1, 2, 2},
                {-1, -2, -5, -6});
}

OnnxBuilder avg_pool_model(bool include_pad) {
  OnnxBuilder b({1, 4, 4});
  auto& n = b.node("AveragePool", {"x"}, {"y"}, "avg");
  attr_ints(n, "kernel_shape", {3, 3});
  attr_ints(n, "strides", {2, 2});
  attr_ints(n, "pads", {1, 1, 1, 1});
  if (include_pad) attr_i(n, "count_include_pad", 1);
  b.output("y");
  return b;
}

// Windows over 1..16: {1,2,5,6}=14, {2,3,4,6,7,8}=30, {5,6,9,10,13,14}=57, 3x3 interior=99.
TEST(OnnxPool, AveragePoolExcludesPadding) {
  expect_tensor(run(avg_pool_model(false), "avg.onnx", iota({1, 1, 4, 4})), {1, 1, 2, 2},
                {14.0f / 4, 30.0f / 6, 57.0f / 6, 11});
}

TEST(OnnxPool, AveragePoolCountIncludePad) {
  expect_tensor(run(avg_pool_model(true), "avgpad.onnx", iota({1, 1, 4, 4})), {1, 1, 2, 2},
                {14.0f / 9, 30.0f / 9, 57.0f / 9, 11});
}

TEST(OnnxPool, GlobalAveragePool) {
  OnnxBuilder b({2, 2, 2});
  b.node("GlobalAveragePool", {"x"}, {"y"});
  b.output("y");
  expect_tensor(run(b, "gap.onnx", iota({1, 2, 2, 2})), {1, 2, 1, 1}, {2.5f, 6.5f});
}

TEST(OnnxShape, FlattenKeepsTheBatch) {
  OnnxBuilder b({2, 1, 2});
  b.node("Flatten", {"x"}, {"y"});
  b.output("y");
  Graph g = load_onnx(b.save("flatten.onnx"));
  EXPECT_EQ(g.shapes.at("y"), (Shape{4}));
  expect_tensor(Fp32Executor(g).run(iota({2, 2, 1, 2})), {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
}

TEST(OnnxShape, ReshapeWithZeroAndMinusOne) {
  OnnxBuilder b({2, 2, 3});
  b.init_i64("s1", {0, -1});  // [N,12]
  auto& c = b.node("Constant", {}, {"s2"});
  attr_ints(c, "value_ints", {0, 3, -1});  // [N,3,4]
  b.init_i64("s3", {-1, 0, 2, 2});  // [N,3,2,2]: 0 copies dim 1 (3), the batch is inferred
  b.node("Reshape", {"x", "s1"}, {"r1"}, "r1");
  b.node("Reshape", {"r1", "s2"}, {"r2"}, "r2");
  b.node("Reshape", {"r2", "s3"}, {"r3"}, "r3");
  b.output("r3");
  Graph g = load_onnx(b.save("reshape.onnx"));
  EXPECT_EQ(g.shapes.at("r1"), (Shape{12}));
  EXPECT_EQ(g.shapes.at("r2"), (Shape{3, 4}));
  EXPECT_EQ(g.shapes.at("r3"), (Shape{3, 2, 2}));
  EXPECT_EQ(g.nodes[1].reshape, (Shape{0, 3, -1}));
  Tensor y = Fp32Executor(g).run(iota({2, 2, 2, 3}, 0));
  expect_tensor(y, {2, 3, 2, 2}, iota({24}, 0).data);
}

TEST(OnnxShape, ReshapeThatWouldChangeTheBatchIsRejected) {
  OnnxBuilder b({2, 2, 3});
  b.init_i64("s", {0, 5, -1});
  b.node("Reshape", {"x", "s"}, {"y"}, "bad_reshape");
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("badreshape.onnx")); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("bad_reshape")));
}

TEST(OnnxShape, IdentityDropoutWithUnusedMask) {
  OnnxBuilder b({3, 1, 1});
  b.init("ratio", {}, {0.5f});
  b.node("Identity", {"x"}, {"i"});
  b.node("Dropout", {"i", "ratio"}, {"d", "mask"}, "drop");
  b.node("Relu", {"d"}, {"y"});
  b.output("y");
  Graph g = load_onnx(b.save("dropout.onnx"));
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[1].outputs, std::vector<std::string>{"d"});
  Tensor x(Shape{1, 3, 1, 1}, std::vector<float>{-1, 2, 3});
  expect_tensor(Fp32Executor(g).run(x), {1, 3, 1, 1}, {0, 2, 3});  // no scaling, no drops
}

TEST(OnnxGraph, UnsortedNodesAreSortedTopologically) {
  OnnxBuilder b({3, 1, 1});
  b.node("Add", {"r", "x"}, {"y"}, "add");
  b.node("Relu", {"n"}, {"r"}, "relu");
  b.node("Identity", {"x"}, {"n"}, "ident");
  b.output("y");
  Graph g = load_onnx(b.save("unsorted.onnx"));
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].name, "ident");
  EXPECT_EQ(g.nodes[1].name, "relu");
  EXPECT_EQ(g.nodes[2].name, "add");
  EXPECT_EQ(g.producer("r"), 1);
  EXPECT_EQ(g.consumers("x"), (std::vector<int>{0, 2}));
  EXPECT_EQ(g.consumers("y"), (std::vector<int>{-1}));
  Tensor x(Shape{1, 3, 1, 1}, std::vector<float>{-1, 2, 3});
  expect_tensor(Fp32Executor(g).run(x), {1, 3, 1, 1}, {-1, 4, 6});
}

TEST(OnnxGraph, InputShapeAndUnnamedNodes) {
  OnnxBuilder b({1, 28, 28});
  b.g()->add_node()->CopyFrom(onnx::NodeProto());
  auto* n = b.g()->mutable_node(0);
  n->set_op_type("Relu");
  n->add_input("x");
  n->add_output("y");
  b.output("y");
  Graph g = load_onnx(b.save("unnamed.onnx"));
  EXPECT_EQ(g.input, "x");
  EXPECT_EQ(g.output, "y");
  EXPECT_EQ(g.input_shape, (Shape{1, 28, 28}));
  EXPECT_EQ(g.nodes[0].name, "Relu_0");
  EXPECT_EQ(g.nodes[0].op, OpType::Relu);
  EXPECT_STREQ(op_name(g.nodes[0].op), "Relu");
}

// ---- errors ----------------------------------------------------------------------------

TEST(OnnxErrors, MissingFile) {
  EXPECT_THAT([] { load_onnx("/nonexistent/model.onnx"); },
              ::testing::ThrowsMessage<InputError>(
                  HasSubstr("cannot open model file '/nonexistent/model.onnx'")));
}

OnnxBuilder conv_model_with_weights() {
  OnnxBuilder b({8, 16, 16});
  std::vector<float> w(16 * 8 * 3 * 3, 0.25f);
  b.init("w", {16, 8, 3, 3}, w);
  b.node("Conv", {"x", "w"}, {"y"}, "conv");
  b.output("y");
  return b;
}

TEST(OnnxErrors, TruncatedFile) {
  std::string bytes = conv_model_with_weights().bytes();
  std::string path = ::testing::TempDir() + "truncated.onnx";
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THAT([&] { load_onnx(path); },
              ::testing::ThrowsMessage<InputError>(HasSubstr(
                  "'" + path + "' is not a valid ONNX model (protobuf parse failed)")));
}

TEST(OnnxErrors, RandomBytes) {
  std::mt19937 rng(1234);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  std::string path = ::testing::TempDir() + "random.onnx";
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_THAT([&] { load_onnx(path); },
              ::testing::ThrowsMessage<InputError>(
                  HasSubstr("'" + path + "' is not a valid ONNX model")));
}

TEST(OnnxErrors, UnsupportedOpNamesOpNodeAndSupportedList) {
  OnnxBuilder b({3, 1, 1});
  b.node("Flatten", {"x"}, {"f"});
  b.node("TopK", {"f"}, {"y"}, "prob");
  b.output("y");
  std::string path = b.save("softmax.onnx");
  try {
    load_onnx(path);
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    std::string msg = e.what();
    EXPECT_THAT(msg, HasSubstr("unsupported op 'TopK' at node 'prob'"));
    EXPECT_THAT(msg, HasSubstr("(supported: " + supported_ops() + ")"));
    EXPECT_THAT(msg, HasSubstr(path));
  }
  EXPECT_THAT(supported_ops(), HasSubstr("Conv, Gemm, MatMul, BatchNormalization, Relu"));
  EXPECT_THAT(supported_ops(), HasSubstr("Identity, Dropout, Sigmoid"));
  EXPECT_THAT(supported_ops(), HasSubstr("Split, Constant"));
}

// Grouped conv, 2 groups of 2 input channels, one 1x1 filter each: group k sums its channels.
TEST(OnnxConv, GroupedConvolutionSumsEachGroupsChannels) {
  OnnxBuilder b({4, 1, 1});
  b.init("w", {2, 2, 1, 1}, {1.0f, 10.0f, 100.0f, 1000.0f});
  auto& n = b.node("Conv", {"x", "w"}, {"y"}, "gconv");
  attr_i(n, "group", 2);
  b.output("y");
  expect_tensor(run(b, "gconv.onnx", iota({1, 4, 1, 1})), {1, 2, 1, 1}, {1 + 20, 300 + 4000});
}

// Depthwise with channel multiplier 2: output channels 2c and 2c+1 read input channel c.
TEST(OnnxConv, DepthwiseWithChannelMultiplier) {
  OnnxBuilder b({2, 1, 1});
  b.init("w", {4, 1, 1, 1}, {1.0f, 2.0f, 3.0f, 4.0f});
  auto& n = b.node("Conv", {"x", "w"}, {"y"});
  attr_i(n, "group", 2);
  b.output("y");
  expect_tensor(run(b, "dwmult.onnx", iota({1, 2, 1, 1}, 5)), {1, 4, 1, 1}, {5, 10, 18, 24});
}

// SAME_UPPER on a 4-wide row with a 2-wide window, stride 1: one pad on the right; ceil_mode
// with a 3x3 window, stride 2 on 4x4: 2x2 windows, the last clipped to the input.
TEST(OnnxPool, AutoPadSameUpperAndCeilMode) {
  OnnxBuilder b({1, 1, 4});
  auto& n = b.node("MaxPool", {"x"}, {"y"}, "pool_same");
  attr_ints(n, "kernel_shape", {1, 2});
  attr_s(n, "auto_pad", "SAME_UPPER");
  b.output("y");
  expect_tensor(run(b, "autopad.onnx", iota({1, 1, 1, 4})), {1, 1, 1, 4}, {2, 3, 4, 4});
  OnnxBuilder c({1, 4, 4});
  auto& m = c.node("AveragePool", {"x"}, {"y"}, "pool_ceil");
  attr_ints(m, "kernel_shape", {3, 3});
  attr_ints(m, "strides", {2, 2});
  attr_i(m, "ceil_mode", 1);
  c.output("y");
  // Windows rows/cols {0,1,2} and {2,3}: means of 9, 6, 6 and 4 values of 1..16.
  expect_tensor(run(c, "ceil.onnx", iota({1, 1, 4, 4})), {1, 1, 2, 2},
                {6.0f, 7.5f, 12.0f, 13.5f});
}

TEST(OnnxErrors, EveryUnsupportedOpAndAttributeIsListedOnOneLine) {
  OnnxBuilder b({3, 4, 4});
  auto& p = b.node("MaxPool", {"x"}, {"p"}, "pool");
  attr_ints(p, "kernel_shape", {2, 2});
  attr_i(p, "storage_order", 1);
  b.node("Gelu", {"p"}, {"g"}, "gelu");
  b.node("Relu", {"x"}, {"r"}, "relu");
  b.node("TopK", {"r"}, {"t"}, "topk");
  b.node("Add", {"g", "t"}, {"y"}, "add");
  b.output("y");
  const std::string path = b.save("many.onnx");
  try {
    load_onnx(path);
    FAIL() << "expected UnsupportedError";
  } catch (const UnsupportedError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    EXPECT_THAT(msg, HasSubstr(path + ": 3 unsupported ops and attributes: MaxPool at node 'pool': storage_order=1 is "
                               "not supported; unsupported op 'Gelu' at node 'gelu'; unsupported op 'TopK' at node "
                               "'topk' (supported: "));
  }
}

TEST(OnnxErrors, SymbolicDimWithoutInputShapeNamesTheFlag) {
  OnnxBuilder b({3, 1, 1});
  b.g()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2)->set_dim_param("H");
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  const std::string path = b.save("symbolic.onnx");
  EXPECT_THAT([&] { load_onnx(path); },
              ::testing::ThrowsMessage<InputError>(HasSubstr(
                  "graph input 'x' has shape [N,3,H,1] with symbolic dims (2); give its whole shape with "
                  "--input-shape x=Dx3xDx1")));
  ImportOptions opt;
  opt.input_shapes["x"] = {1, 3, 5, 1};
  EXPECT_EQ(load_onnx(path, opt).input_shape, (Shape{3, 5, 1}));
  opt.input_shapes["x"] = {1, 4, 5, 1};
  EXPECT_THAT([&] { load_onnx(path, opt); }, ::testing::ThrowsMessage<InputError>(HasSubstr("disagrees")));
  EXPECT_EQ(parse_input_shape("in=1x3x224x224").second, (Shape{1, 3, 224, 224}));
  EXPECT_THAT([] { parse_input_shape("in=1x0"); }, ::testing::ThrowsMessage<InputError>(HasSubstr("--input-shape 'in=1x0'")));
}

// PyTorch's x.view(x.size(0), -1): Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape. The
// batch size is unknown at import; the folded target keeps it as 0.
TEST(OnnxFolding, ShapeGatherConcatReshapeKeepsTheBatch) {
  OnnxBuilder b({2, 3, 1});
  b.node("Shape", {"x"}, {"s"});
  b.init_i64("zero", {0});
  auto& gnode = b.node("Gather", {"s", "zero"}, {"n"});
  attr_i(gnode, "axis", 0);
  b.init_i64("minus1", {-1});
  auto& c = b.node("Concat", {"n", "minus1"}, {"t"});
  attr_i(c, "axis", 0);
  b.node("Reshape", {"x", "t"}, {"y"}, "flat");
  b.output("y");
  Graph g = load_onnx(b.save("viewfold.onnx"));
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].reshape, (Shape{0, -1}));
  expect_tensor(Fp32Executor(g).run(iota({2, 2, 3, 1})), {2, 6}, iota({12}).data);
}

// A Reshape whose target multiplies the batch size cannot keep it; with fixed input dims the
// model runs with whole tensors (batch 1 of the file's shape).
TEST(OnnxFolding, FlattenAcrossTheBatchRunsWholeTensors) {
  OnnxBuilder b({2, 3});
  b.g()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->set_dim_value(2);
  auto& f = b.node("Flatten", {"x"}, {"y"}, "flat2");
  attr_i(f, "axis", 2);
  b.output("y");
  Graph g = load_onnx(b.save("flat2.onnx"));
  EXPECT_TRUE(g.whole_tensors);
  expect_tensor(Fp32Executor(g).run_inputs({iota({2, 2, 3})}), {4, 3}, iota({12}).data);
  OnnxBuilder c({2, 3});  // symbolic batch: refused, naming the node
  auto& f2 = c.node("Flatten", {"x"}, {"y"}, "flat2");
  attr_i(f2, "axis", 2);
  c.output("y");
  EXPECT_THAT([&] { load_onnx(c.save("flat2n.onnx")); },
              ::testing::ThrowsMessage<UnsupportedError>(HasSubstr("node 'flat2' (Flatten): axis 2 acts across the batch axis")));
}

TEST(OnnxErrors, UsedDropoutMaskIsUnsupported) {
  OnnxBuilder b({3, 1, 1});
  b.node("Dropout", {"x"}, {"d", "mask"}, "drop");
  b.node("Identity", {"mask"}, {"y"});
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("mask.onnx")); },
              ::testing::ThrowsMessage<UnsupportedError>(HasSubstr("'drop'")));
}

TEST(OnnxErrors, AddShapeMismatchNamesTheNode) {
  OnnxBuilder b({2, 4, 4});
  auto& n = b.node("MaxPool", {"x"}, {"p"});
  attr_ints(n, "kernel_shape", {2, 2});
  attr_ints(n, "strides", {2, 2});
  b.node("Add", {"p", "x"}, {"y"}, "residual");
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("addmismatch.onnx")); },
              ::testing::ThrowsMessage<InputError>(::testing::AllOf(
                  HasSubstr("node 'residual' (Add)"), HasSubstr("[2,2,2] and [2,4,4]"))));
}

TEST(OnnxErrors, ConvChannelMismatchNamesTheNode) {
  OnnxBuilder b({3, 4, 4});
  b.init("w", {2, 2, 1, 1}, std::vector<float>(4, 1.0f));
  b.node("Conv", {"x", "w"}, {"y"}, "conv_c");
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("convc.onnx")); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("node 'conv_c' (Conv)")));
}

TEST(OnnxErrors, DanglingInputAndTwoOutputs) {
  OnnxBuilder b({3, 1, 1});
  b.node("Add", {"x", "ghost"}, {"y"}, "adder");
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("dangling.onnx")); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("node 'adder' reads 'ghost'")));
  OnnxBuilder c({3, 1, 1});
  c.node("Relu", {"x"}, {"y"});
  c.node("Relu", {"x"}, {"z"});
  c.output("y");
  c.output("z");
  EXPECT_THAT([&] { load_onnx(c.save("twoout.onnx")); },
              ::testing::ThrowsMessage<UnsupportedError>(HasSubstr("2 outputs")));
}

TEST(OnnxErrors, NonFloatInputIsRejected) {
  OnnxBuilder b({3, 1, 1});
  b.g()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("intin.onnx")); },
              ::testing::ThrowsMessage<UnsupportedError>(HasSubstr("graph input 'x' has element type INT64, expected FLOAT")));
}

TEST(OnnxErrors, ExecutorRejectsWrongInputShape) {
  OnnxBuilder b({3, 2, 2});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  Graph g = load_onnx(b.save("relu.onnx"));
  EXPECT_THAT([&] { Fp32Executor(g).run(Tensor(Shape{1, 2, 2, 2})); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("[1,2,2,2]")));
}

// Found by fuzz/fuzz_onnx: an initializer whose dims promise far more values than its payload
// holds made the loader allocate the whole tensor (minutes of memset) before comparing sizes;
// dims whose product overflows 64 bits were undefined behaviour. Both are now rejected up front.
TEST(OnnxErrors, HugeOrOverflowingInitializerDimsAreRejectedBeforeAllocating) {
  for (const auto& [dims, message] :
       std::vector<std::pair<Shape, std::string>>{{{1 << 20, 1 << 20, 4}, "raw_data holds 4 values, shape [1048576,1048576,4] needs 4398046511104"},
                                                  {{1LL << 40, 1LL << 40}, "has more elements than a 64-bit count holds"}}) {
    OnnxBuilder b({1, 2, 2});
    b.init("w", {1, 1, 2, 2}, {1, 2, 3, 4});
    b.g()->mutable_initializer(0)->clear_dims();
    for (int64_t d : dims) b.g()->mutable_initializer(0)->add_dims(d);
    auto& n = b.node("Conv", {"x", "w"}, {"y"}, "conv");
    attr_ints(n, "kernel_shape", {2, 2});
    b.output("y");
    EXPECT_THAT([&] { load_onnx(b.save("huge.onnx")); }, ::testing::ThrowsMessage<InputError>(HasSubstr(message)));
  }
}

TEST(OnnxErrors, RawDataThatIsNotWholeValuesIsRejected) {
  OnnxBuilder b({1, 2, 2});
  b.init("w", {1, 1, 2, 2}, {1, 2, 3, 4});
  b.g()->mutable_initializer(0)->mutable_raw_data()->append("xy");
  auto& n = b.node("Conv", {"x", "w"}, {"y"}, "conv");
  attr_ints(n, "kernel_shape", {2, 2});
  b.output("y");
  EXPECT_THAT([&] { load_onnx(b.save("partial.onnx")); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("raw_data holds 18 bytes, not a whole number of 4-byte values")));
}

}  // namespace
}  // namespace qarray
