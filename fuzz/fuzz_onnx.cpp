// libFuzzer target: the ONNX loader (protobuf parse, op import, shape inference) on arbitrary bytes.
#include "fuzz/fuzz_common.h"
#include "base/errors.h"
#include "models/onnx_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = qarray::fuzz::scratch_dir() + "/model.onnx";
  qarray::fuzz::write_file(path, data, size);
  try {
    qarray::load_onnx(path);
  } catch (const qarray::Error&) {
  }
  return 0;
}
