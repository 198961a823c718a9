// --arch override flags and the design's name in errors (app/arch_flags.h).
#include "app/arch_flags.h"

namespace qarray::cli {

std::string arch_where(const std::string& name) {
  const std::string file = explore::arch_path(name);
  return "--arch " + name + (name == file ? "" : " (" + file + ")");
}

void add_arch_override_flags(CLI::App& app, explore::ArchOverrides& o) {
  app.add_option("--dataflow", o.dataflow, "Override the --arch dataflow: ws, is or os");
  app.add_option("--rows", o.rows, "Override the --arch array rows (1-256)");
  app.add_option("--cols", o.cols, "Override the --arch array columns (1-256)");
}

}  // namespace qarray::cli
