// Shipped networks and architecture presets by name (explore/shipped.h).
#include "explore/shipped.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "base/errors.h"

namespace qarray::explore {

std::string shipped_path(const std::string& name, const std::string& folder, const std::string& ext,
                         const std::string& what) {
  namespace fs = std::filesystem;
  if (name.find('/') != std::string::npos || name.find(ext) != std::string::npos) return name;
  const fs::path dir = fs::path(QARRAY_SOURCE_DIR) / folder;
  const fs::path file = dir / (name + ext);
  // error_code overloads throughout: a name the file system refuses (too long, ...) is just unknown.
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) return file.string();
  if (fs::exists(name, ec)) return name;  // a file or folder of that name here: the loader says what is wrong with it
  std::vector<std::string> shipped;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ext) shipped.push_back(e.path().stem().string());
  std::sort(shipped.begin(), shipped.end());
  std::string list;
  for (const std::string& s : shipped) list += (list.empty() ? "" : ", ") + s;
  throw InputError("unknown " + what + " '" + name + "' (shipped: " + list + "; or give the path of a " + ext +
                   " file)");
}

std::string shipped_model(const std::string& name) { return shipped_path(name, "networks", ".onnx", "model"); }

std::string arch_path(const std::string& name) { return shipped_path(name, "configs", ".json", "architecture preset"); }

ArchConfig load_arch(const std::string& name_or_file, const ArchOverrides& o) {
  const std::string path = arch_path(name_or_file);
  ArchConfig a = load_arch_config(path);
  if (!o.dataflow.empty()) {
    try {
      a.dataflow = parse_dataflow(o.dataflow);
    } catch (const InputError& e) {
      throw InputError(std::string("--dataflow: ") + e.what());
    }
  }
  if (o.rows) a.rows = *o.rows;
  if (o.cols) a.cols = *o.cols;
  a.validate(path + " with the command-line overrides");
  return a;
}

}  // namespace qarray::explore
