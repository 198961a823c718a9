// The design-space grid of `qarray sweep`: a JSON file of value lists whose cross product is the
// set of design points (array size x dataflow x bit-widths x PTQ method x SRAM sizes x DRAM
// bandwidth x energy table) over one model and one base architecture (the result table is
// explore/sweep_table.h's, a point's evaluation explore/sweep_point.h's).
//
// Grid file (every key but "model" and "arch" optional; unknown keys are errors):
//   "model": "mobilenetv2" | "resnet" | "path.onnx"     "arch": preset (configs/) or arch file
//   "array": [[rows, cols], ...]      "dataflow": ["ws", "os", "is"]
//   "weight_bits": [..]  "act_bits": [..]   "method": ["cle+bc", ...]   (PTQ methods of `ptq`)
//   "ifmap_kib": [..]  "weight_kib": [..]  "ofmap_kib": [..]  "dram_bytes_per_cycle": [..]
//   "energy_table": ["horowitz45", "aladdin40", "file.csv"]
//   "eval_images": N (0 = all), "calib_images": N, "sim_images": N (>= 1),
//   "data": what --data takes (Fashion-MNIST dir, image folder, images .npy, "synthetic"),
//   "labels": the labels .npy of an images .npy
// Preprocessing: the JSON file beside the model (models/preprocess.h), as for `qarray run`.
// A missing list is the base arch's value (method: "cle+bc", energy_table: "horowitz45").
//
// Contract: parse_sweep_grid either returns a grid whose every point's ArchConfig validates, or
// throws InputError "<file>: <key>: <what>" (one line); lists are non-empty and duplicate-free.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/arch_config.h"

namespace qarray::explore {

struct SweepGrid {
  std::string path;  // the grid file, for messages
  std::string model = "mobilenetv2";
  std::string arch = "ws16";  // as written in the file
  ArchConfig base;            // the loaded base arch
  std::vector<std::pair<int32_t, int32_t>> array;  // rows, cols
  std::vector<Dataflow> dataflow;
  std::vector<int32_t> weight_bits, act_bits;
  std::vector<std::string> method;
  std::vector<int64_t> ifmap_kib, weight_kib, ofmap_kib;
  std::vector<double> dram_bytes_per_cycle;
  std::vector<std::string> energy_table;
  int64_t eval_images = 1000;
  int64_t calib_images = 512;
  int64_t sim_images = 1;
  std::string data;    // as --data (models/dataset.h parse_data_source)
  std::string labels;  // .npy labels, with an images .npy
};

// One design point: the parameters of a row.
struct SweepPoint {
  int32_t rows = 0, cols = 0;
  Dataflow dataflow = Dataflow::WeightStationary;
  int32_t weight_bits = 8, act_bits = 8;
  std::string method;
  int64_t ifmap_kib = 0, weight_kib = 0, ofmap_kib = 0;
  double dram_bytes_per_cycle = 0.0;
  std::string energy_table;

  // Short readable name, unique within a grid: "16x16-ws-w8a8-cle+bc-i64w64o64k-d16-horowitz45".
  std::string id() const;
};

// Reads and checks a grid file (the base arch resolved with arch_path(), explore/shipped.h).
SweepGrid load_sweep_grid(const std::string& path);
// Parses grid JSON text; `where` names the file in errors.
SweepGrid parse_sweep_grid(const std::string& json_text, const std::string& where);

// The cross product, in the nesting order of the keys above (array outermost, table innermost).
std::vector<SweepPoint> sweep_points(const SweepGrid& grid);

// The base arch with the point's array, dataflow, operand widths, buffer capacities and DRAM
// bandwidth; named after the point.
ArchConfig point_arch(const SweepGrid& grid, const SweepPoint& p);

}  // namespace qarray::explore
