// Single-tensor files in the onnx.TensorProto format (ONNX backend test data).
#include "models/tensor_proto.h"

#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/errors.h"
#include "models/onnx_tensor.h"

namespace qarray {

Tensor read_tensor_proto(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open tensor file '" + path + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes.str())) {
    throw InputError("'" + path + "' is not a valid TensorProto file (protobuf parse failed)");
  }
  if (proto.data_type() != onnx::TensorProto::FLOAT) {
    throw InputError("'" + path + "' holds a tensor of data type " +
                     data_type_name(proto.data_type()) + "; only FLOAT is supported");
  }
  try {
    return float_tensor(proto, "'" + path + "'");
  } catch (const UnsupportedError& e) {  // external data: still the user's file at fault
    throw InputError(e.what());
  }
}

void write_tensor_proto(const std::string& path, const Tensor& tensor, const std::string& name) {
  if (tensor.size() != num_elements(tensor.shape)) {
    throw InputError("tensor '" + name + "' has " + std::to_string(tensor.size()) +
                     " values for shape " + shape_str(tensor.shape));
  }
  std::string bytes;
  to_proto(tensor, name).SerializeToString(&bytes);
  write_file_atomic(path, bytes);
}

}  // namespace qarray
