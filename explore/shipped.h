// The data qarray ships, found by name: networks (networks/NAME.onnx) and architecture presets
// (configs/NAME.json) of the source tree this build comes from (QARRAY_SOURCE_DIR), and an
// architecture loaded with the command line's overrides (--dataflow, --rows, --cols).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "sim/arch_config.h"

namespace qarray::explore {

// The file a name stands for: `name` itself if it has a '/' or contains `ext`; else
// FOLDER/NAME<ext> of the source tree if shipped; else `name` if such a file or folder exists
// here; else InputError "unknown <what> 'name' (shipped: a, b; or give the path of a <ext> file)".
std::string shipped_path(const std::string& name, const std::string& folder, const std::string& ext,
                         const std::string& what);
// A shipped network (networks/NAME.onnx) or an ONNX file, through shipped_path().
std::string shipped_model(const std::string& name_or_file);
// An architecture preset (configs/NAME.json) or an arch file, through shipped_path().
std::string arch_path(const std::string& name_or_file);

// Replacements for some keys of an architecture file (unset: the file's value).
struct ArchOverrides {
  std::string dataflow;  // ws, os or is
  std::optional<int32_t> rows, cols;
};
// Loads a preset or an arch file and applies the overrides; InputError naming the override
// ("--dataflow: ..."), or the file and the key ("<file> with the command-line overrides:
// array.rows: ...").
ArchConfig load_arch(const std::string& name_or_file, const ArchOverrides& overrides);

}  // namespace qarray::explore
