// --input-shape: whole shapes of graph inputs with symbolic dims, shared by run, ptq and infer.
#include "app/commands.h"
#include "base/errors.h"

namespace qarray::cli {

void add_input_shape_flag(CLI::App& app, std::vector<std::string>& shapes) {
  app.add_option("--input-shape", shapes,
                 "Whole shape of a graph input with symbolic dims, NAME=1x3x224x224 (repeatable; the batch "
                 "comes from the data)");
}

ImportOptions import_options(const std::vector<std::string>& shapes) {
  ImportOptions opt;
  for (const std::string& s : shapes) {
    auto [name, shape] = parse_input_shape(s);
    if (opt.input_shapes.count(name)) throw InputError("--input-shape " + name + " is given twice");
    opt.input_shapes[name] = shape;
  }
  return opt;
}

}  // namespace qarray::cli
