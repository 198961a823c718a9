// libFuzzer target: the workload loader (network.json + tensors.bin, then Network::validate).
// The input is the JSON descriptor, a line "----tensors.bin----", then the binary blob file.
#include <cstring>

#include "fuzz/fuzz_common.h"
#include "base/errors.h"
#include "workloads/network_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char kSeparator[] = "\n----tensors.bin----\n";
  const size_t sep_len = sizeof(kSeparator) - 1;
  const uint8_t* sep = static_cast<const uint8_t*>(memmem(data, size, kSeparator, sep_len));
  const size_t json_size = sep ? static_cast<size_t>(sep - data) : size;
  const std::string dir = qarray::fuzz::scratch_dir();
  qarray::fuzz::write_file(dir + "/network.json", data, json_size);
  if (sep)
    qarray::fuzz::write_file(dir + "/tensors.bin", sep + sep_len, size - json_size - sep_len);
  else
    qarray::fuzz::write_file(dir + "/tensors.bin", data, 0);
  try {
    qarray::load_network(dir);
  } catch (const qarray::Error&) {
  }
  return 0;
}
