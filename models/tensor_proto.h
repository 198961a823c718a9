// Read and write single tensors as serialized onnx.TensorProto files: the format of ONNX's own
// backend test data (input_0.pb, output_0.pb), so `qarray infer` can be checked against another
// runtime.
#pragma once
#include <string>

#include "models/tensor.h"

namespace qarray {

// FLOAT tensors only (raw_data or float_data). Throws InputError naming the file.
Tensor read_tensor_proto(const std::string& path);
// Writes atomically (temp file + rename), so a failure leaves nothing half-written.
void write_tensor_proto(const std::string& path, const Tensor& tensor, const std::string& name);

}  // namespace qarray
