// TensorProto payload decoding. raw_data is little-endian by the ONNX spec; the bytes are
// assembled explicitly so the code does not depend on the host's byte order.
#include "models/onnx_tensor.h"

#include <cstring>

#include "base/errors.h"

namespace qarray {
namespace {

Shape dims_of(const onnx::TensorProto& proto, const std::string& where) {
  Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t d : shape) {
    if (d < 0) throw InputError(where + ": negative dimension in " + shape_str(shape));
  }
  return shape;
}

void check_type(const onnx::TensorProto& proto, int32_t want, const std::string& where) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    throw UnsupportedError(where + ": external data is not supported");
  }
  if (proto.data_type() != want) {
    throw UnsupportedError(where + " has data type " + data_type_name(proto.data_type()) +
                           ", expected " + data_type_name(want));
  }
}

// The element count of `shape`, checked against the payload before anything is allocated: a
// corrupt dims field must not make the loader allocate (or overflow computing) a huge tensor.
size_t payload_count(const Shape& shape, size_t payload_values, const std::string& where, const char* field) {
  uint64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n))
      throw InputError(where + ": shape " + shape_str(shape) + " has more elements than a 64-bit count holds");
  if (n != payload_values)
    throw InputError(where + ": " + field + " holds " + std::to_string(payload_values) + " values, shape " +
                     shape_str(shape) + " needs " + std::to_string(n));
  return static_cast<size_t>(n);
}

void whole_values(const onnx::TensorProto& proto, size_t width, const std::string& where) {
  if (proto.has_raw_data() && proto.raw_data().size() % width != 0)
    throw InputError(where + ": raw_data holds " + std::to_string(proto.raw_data().size()) + " bytes, not a whole number of " +
                     std::to_string(width) + "-byte values");
}

uint64_t load_le(const char* bytes, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

}  // namespace

std::string data_type_name(int32_t data_type) {
  if (onnx::TensorProto_DataType_IsValid(data_type)) {
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(data_type));
  }
  return "unknown(" + std::to_string(data_type) + ")";
}

Tensor float_tensor(const onnx::TensorProto& proto, const std::string& where) {
  check_type(proto, onnx::TensorProto::FLOAT, where);
  const Shape shape = dims_of(proto, where);
  whole_values(proto, 4, where);
  const size_t payload = proto.has_raw_data() ? proto.raw_data().size() / 4 : proto.float_data_size();
  payload_count(shape, payload, where, proto.has_raw_data() ? "raw_data" : "float_data");
  Tensor t(shape);
  size_t n = t.data.size();
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    for (size_t i = 0; i < n; ++i) {
      uint32_t bits = static_cast<uint32_t>(load_le(raw.data() + 4 * i, 4));
      std::memcpy(&t.data[i], &bits, 4);
    }
  } else {
    std::copy(proto.float_data().begin(), proto.float_data().end(), t.data.begin());
  }
  return t;
}

std::vector<int64_t> int64_values(const onnx::TensorProto& proto, const std::string& where) {
  check_type(proto, onnx::TensorProto::INT64, where);
  return integer_values(proto, where);
}

bool is_integer_type(int32_t t) {
  return t == onnx::TensorProto::INT64 || t == onnx::TensorProto::INT32 || t == onnx::TensorProto::INT16 ||
         t == onnx::TensorProto::INT8 || t == onnx::TensorProto::UINT8 || t == onnx::TensorProto::UINT16 ||
         t == onnx::TensorProto::BOOL;
}

std::vector<int64_t> integer_values(const onnx::TensorProto& proto, const std::string& where) {
  const int32_t type = proto.data_type();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    throw UnsupportedError(where + ": external data is not supported");
  if (!is_integer_type(type))
    throw UnsupportedError(where + " has data type " + data_type_name(type) + ", expected an integer or BOOL type");
  const bool is64 = type == onnx::TensorProto::INT64;
  const int width = is64 ? 8 : (type == onnx::TensorProto::INT32 ? 4 :
                     (type == onnx::TensorProto::INT16 || type == onnx::TensorProto::UINT16) ? 2 : 1);
  const bool is_signed = type != onnx::TensorProto::UINT8 && type != onnx::TensorProto::UINT16 &&
                         type != onnx::TensorProto::BOOL;
  Shape shape = dims_of(proto, where);
  whole_values(proto, width, where);
  const size_t typed = is64 ? proto.int64_data_size() : proto.int32_data_size();
  const size_t payload = proto.has_raw_data() ? proto.raw_data().size() / width : typed;
  size_t n = payload_count(shape, payload, where, proto.has_raw_data() ? "raw_data" : (is64 ? "int64_data" : "int32_data"));
  std::vector<int64_t> v(n);
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    for (size_t i = 0; i < n; ++i) {
      uint64_t u = load_le(raw.data() + width * i, width);
      if (is_signed && width < 8 && (u >> (8 * width - 1)) & 1u) u |= ~((uint64_t{1} << (8 * width)) - 1);
      v[i] = static_cast<int64_t>(u);
    }
  } else if (is64) {
    std::copy(proto.int64_data().begin(), proto.int64_data().end(), v.begin());
  } else {
    std::copy(proto.int32_data().begin(), proto.int32_data().end(), v.begin());
  }
  return v;
}

onnx::TensorProto to_proto(const Tensor& tensor, const std::string& name) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : tensor.shape) proto.add_dims(d);
  std::string raw(4 * tensor.data.size(), '\0');
  for (size_t i = 0; i < tensor.data.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &tensor.data[i], 4);
    for (int b = 0; b < 4; ++b) raw[4 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  proto.set_raw_data(std::move(raw));
  return proto;
}

}  // namespace qarray
