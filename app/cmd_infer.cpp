// `qarray infer`: run a model on ONNX TensorProto files (the ONNX backend-test format) so any
// supported model can be checked against another runtime. FP32 by default; --int8 runs the
// integer golden path (quantizing on the fly, or loading saved workloads with --workloads).
#include <iostream>

#include "app/commands.h"
#include "app/data_flags.h"
#include "base/errors.h"
#include "explore/shipped.h"
#include "models/fp32_executor.h"
#include "models/onnx_loader.h"
#include "models/tensor_proto.h"
#include "workloads/golden.h"
#include "workloads/network_io.h"
#include "workloads/pipeline.h"

namespace qarray::cli {
namespace {

struct InferFlags {
  std::string model;
  std::vector<std::string> inputs;
  std::string output;
  bool integer = false;
  std::string workloads;
  DataFlags data;
  int64_t calib_images = 512;
  std::vector<std::string> input_shapes;
  QuantSpec spec;
};

int infer(const InferFlags& f) {
  if (f.inputs.size() != 1)
    throw InputError("the model has one input; got " + std::to_string(f.inputs.size()) + " --input files");
  if (f.model.empty() && f.workloads.empty()) throw InputError("give MODEL.onnx or --workloads DIR");
  if (!f.workloads.empty() && !f.integer) throw InputError("--workloads needs --int8 (workloads are integer)");
  const Tensor x = read_tensor_proto(f.inputs[0]);
  Tensor y;
  if (!f.integer) {
    const Graph graph = load_onnx(explore::shipped_model(f.model), import_options(f.input_shapes));
    if (x.shape.size() != graph.input_shape.size() + 1 ||
        !std::equal(graph.input_shape.begin(), graph.input_shape.end(), x.shape.begin() + 1))
      throw InputError(f.inputs[0] + ": tensor shape " + shape_str(x.shape) + " does not match the model input [N," +
                       shape_str(graph.input_shape).substr(1));
    y = Fp32Executor(graph).run(x);
  } else {
    Network net;
    if (!f.workloads.empty()) {
      net = load_network(f.workloads);
    } else {
      const std::string model_path = explore::shipped_model(f.model);
      const DataSetup data = resolve_data(f.data, model_path);
      const Graph graph = load_onnx(model_path, import_options(f.input_shapes));
      const Dataset train = open_dataset(data.source, Split::Train, data.pre, model_input(graph), f.calib_images);
      net = quantize_minmax(graph, calibration_images(train, f.calib_images), f.spec).network;
    }
    const Shape& in = net.tensors[net.input].shape;
    if (x.shape.size() != in.size() + 1 || !std::equal(in.begin(), in.end(), x.shape.begin() + 1))
      throw InputError(f.inputs[0] + ": tensor shape " + shape_str(x.shape) + " does not match the network input " +
                       shape_str(in) + " with a batch dimension");
    const GoldenExecutor golden(net);
    y = golden.dequantize_output(golden.run(golden.quantize_input(x)));
  }
  write_tensor_proto(f.output, y, "output");
  std::cout << "wrote " << f.output << " " << shape_str(y.shape) << "\n";
  return 0;
}

}  // namespace

Action add_infer(CLI::App& app) {
  auto f = std::make_shared<InferFlags>();
  app.add_option("model", f->model, "ONNX model file or shipped model name");
  app.add_option("--input", f->inputs, "Input TensorProto file (.pb)")->required();
  app.add_option("--output", f->output, "Output TensorProto file (.pb)")->required();
  app.add_flag("--int8", f->integer, "Run the integer golden path instead of FP32");
  app.add_option("--workloads", f->workloads, "Saved workloads directory (with --int8; no ONNX needed)");
  add_data_flags(app, f->data, "for the calibration of --int8");
  app.add_option("--calib-images", f->calib_images, "Calibration images (the first N of the calibration split)")
      ->capture_default_str();
  add_input_shape_flag(app, f->input_shapes);
  app.add_option("--weight-bits", f->spec.weight_bits, "Weight bits (2-16)")->capture_default_str();
  app.add_option("--act-bits", f->spec.act_bits, "Activation bits (2-16)")->capture_default_str();
  return [f] { return infer(*f); };
}

}  // namespace qarray::cli
