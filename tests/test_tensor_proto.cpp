// TensorProto files: round trip (shape, name, bit-exact values), and the errors for a missing,
// truncated, garbage or non-float file, each naming the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "base/errors.h"
#include "models/tensor_proto.h"

namespace qarray {
namespace {

using ::testing::HasSubstr;

std::string temp(const std::string& file) { return ::testing::TempDir() + file; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(TensorProto, RoundTripIsBitExact) {
  Tensor t(Shape{2, 3, 1, 2});
  for (int64_t i = 0; i < t.size(); ++i) t.data[i] = std::ldexp(1.0f + i / 7.0f, int(i) - 6);
  t.data[3] = -0.0f;
  t.data[4] = std::numeric_limits<float>::denorm_min();
  t.data[5] = -std::numeric_limits<float>::infinity();
  std::string path = temp("round_trip.pb");
  write_tensor_proto(path, t, "logits");
  Tensor back = read_tensor_proto(path);
  EXPECT_EQ(back.shape, t.shape);
  ASSERT_EQ(back.data.size(), t.data.size());
  for (size_t i = 0; i < t.data.size(); ++i) {
    EXPECT_EQ(std::memcmp(&back.data[i], &t.data[i], 4), 0) << i;
  }
  onnx::TensorProto proto;
  ASSERT_TRUE(proto.ParseFromString(slurp(path)));
  EXPECT_EQ(proto.name(), "logits");
  EXPECT_EQ(proto.data_type(), onnx::TensorProto::FLOAT);
  EXPECT_EQ(proto.raw_data().size(), 4u * 12);
  // Little-endian raw bytes: 1.0f * 2^-6 = 0x3c800000.
  EXPECT_EQ(proto.raw_data().substr(0, 4), std::string("\x00\x00\x80\x3c", 4));
}

TEST(TensorProto, ReadsFloatDataField) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(3);
  for (float v : {1.5f, -2.0f, 4.25f}) proto.add_float_data(v);
  std::string path = temp("float_data.pb");
  std::ofstream(path, std::ios::binary) << proto.SerializeAsString();
  Tensor t = read_tensor_proto(path);
  EXPECT_EQ(t.shape, (Shape{3}));
  EXPECT_EQ(t.data, (std::vector<float>{1.5f, -2.0f, 4.25f}));
}

TEST(TensorProto, OverwritesAtomicallyWithoutLeftovers) {
  std::string path = temp("overwrite.pb");
  write_tensor_proto(path, Tensor(Shape{4}, 1.0f), "a");
  write_tensor_proto(path, Tensor(Shape{2}, 2.0f), "b");
  EXPECT_EQ(read_tensor_proto(path).data, (std::vector<float>{2.0f, 2.0f}));
  EXPECT_THAT([&] { write_tensor_proto("/nonexistent/dir/t.pb", Tensor(Shape{1}), "t"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("/nonexistent/dir/t.pb")));
}

TEST(TensorProto, MissingFile) {
  EXPECT_THAT([] { read_tensor_proto("/nonexistent/input_0.pb"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("'/nonexistent/input_0.pb'")));
}

TEST(TensorProto, TruncatedFile) {
  std::string path = temp("truncated.pb");
  write_tensor_proto(path, Tensor(Shape{16, 10}, 0.5f), "x");
  std::string bytes = slurp(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THAT([&] { read_tensor_proto(path); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("'" + path + "'")));
}

TEST(TensorProto, GarbageAndNonFloatFiles) {
  std::string garbage = temp("garbage.pb");
  std::ofstream(garbage, std::ios::binary) << "this is not a tensor at all\xff\xff\xff";
  EXPECT_THAT([&] { read_tensor_proto(garbage); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("'" + garbage + "'")));

  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::INT64);
  proto.add_dims(2);
  proto.add_int64_data(1);
  proto.add_int64_data(2);
  std::string ints = temp("int64.pb");
  std::ofstream(ints, std::ios::binary) << proto.SerializeAsString();
  EXPECT_THAT([&] { read_tensor_proto(ints); },
              ::testing::ThrowsMessage<InputError>(
                  ::testing::AllOf(HasSubstr("'" + ints + "'"), HasSubstr("INT64"))));
}

TEST(TensorProto, PayloadSizeMustMatchDims) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(2);
  proto.add_dims(3);
  proto.add_float_data(1.0f);
  std::string path = temp("short.pb");
  std::ofstream(path, std::ios::binary) << proto.SerializeAsString();
  EXPECT_THAT([&] { read_tensor_proto(path); },
              ::testing::ThrowsMessage<InputError>(
                  ::testing::AllOf(HasSubstr("'" + path + "'"), HasSubstr("[2,3]"))));
}

}  // namespace
}  // namespace qarray
