// libFuzzer target: the architecture-config parser and its validation.
#include <string>

#include "base/errors.h"
#include "sim/arch_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    qarray::parse_arch_config(text, "fuzz.json").validate("fuzz.json");
  } catch (const qarray::Error&) {
  }
  return 0;
}
