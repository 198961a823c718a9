// Decoding of onnx.TensorProto payloads (raw little-endian bytes or the typed repeated fields),
// shared by the ONNX importer and the TensorProto file reader. Internal to models/: it exposes
// the protobuf types, which only qarray_models links against.
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "models/tensor.h"

namespace qarray {

// The ONNX spelling of a TensorProto data type ("FLOAT", "INT64", ...).
std::string data_type_name(int32_t data_type);

// `where` names the tensor and file for messages ("initializer 'w' in 'm.onnx'").
// Throws UnsupportedError for another data type or external data, InputError for a payload
// whose size disagrees with the dims.
Tensor float_tensor(const onnx::TensorProto& proto, const std::string& where);
std::vector<int64_t> int64_values(const onnx::TensorProto& proto, const std::string& where);
// INT64, INT32, INT16, INT8, UINT16, UINT8 and BOOL payloads as int64 values.
bool is_integer_type(int32_t data_type);
std::vector<int64_t> integer_values(const onnx::TensorProto& proto, const std::string& where);

// A FLOAT TensorProto with raw_data (little-endian).
onnx::TensorProto to_proto(const Tensor& tensor, const std::string& name);

}  // namespace qarray
