// One design point of a sweep evaluated, as a typed result: the quantization it shares with
// every point of the same bit-widths and PTQ method (quantized and evaluated once, independent of
// the array), the simulation of the first test images on the point's design, checked against
// golden, and the pricing of that design and of its FP32 twin.
//
// Contract: run_point() does not throw Error: a point that fails is a result with an error (the
// sweep goes on), keeping its INT figures when only the FP32 twin failed.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "energy/energy_table.h"
#include "explore/sweep_grid.h"
#include "models/dataset.h"
#include "models/graph.h"
#include "workloads/evaluate.h"
#include "workloads/network.h"

namespace qarray::explore {

// What a quantization depends on; the points sharing it share one quantized network.
struct QuantKey {
  int32_t weight_bits = 8, act_bits = 8;
  std::string method;
  bool operator<(const QuantKey& o) const;
};
QuantKey quant_key(const SweepPoint& p);
// The distinct quantizations of `points`, in the order of their first point.
std::vector<QuantKey> quant_groups(const std::vector<SweepPoint>& points);

// One quantization of the model and its accuracy on the integer golden executor.
struct QuantizedGroup {
  Network net;
  double int_top1 = 0.0;
  std::vector<int32_t> predictions;  // golden's, checked against the cycle model's
  std::string error;                 // "quantization: ..." (one line): every point of the group fails with it
};
// Quantizes the model to the key's widths and method and evaluates it on `eval.images` test
// images; an Error becomes the group's error.
QuantizedGroup quantize_group(const Graph& graph, const Tensor& calib, const Dataset& test, const EvalOptions& eval,
                              const QuantKey& key, int32_t acc_bits, int threads);

// The figures of one priced design (one image, batch 1, layers in sequence).
struct DesignFigures {
  int64_t cycles = 0, macs = 0, stall_cycles = 0, dram_bytes = 0;
  double latency_us = 0.0;
  double utilization = 0.0;  // pe_utilization() of the whole network
  double energy_uj = 0.0;
  double pj_per_mac = 0.0;   // 0 without MACs
  double mac_uj = 0.0, register_uj = 0.0, sram_uj = 0.0, dram_uj = 0.0;
  double area_mm2 = 0.0, pe_area_um2 = 0.0;
};

struct PointResult {
  bool ok = true;                         // status ok; else `error` says why
  std::string error;
  std::string node;                       // the energy table's technology node (with int_design)
  std::optional<DesignFigures> int_design;
  std::optional<DesignFigures> fp32_twin;
};
// A point that did not run: status error with `error`.
PointResult failed_point(const std::string& error);

// Simulates test images [0, sim_images) of the group's network on `arch` (checked against
// golden), image 0 on its FP32 twin, and prices both with `table`.
PointResult run_point(const QuantizedGroup& q, const Dataset& test, int64_t sim_images, const ArchConfig& arch,
                      const EnergyTable& table);

// What every point of a grid reads: the model, the test and calibration sets (the grid's "data"
// through the preprocessing file beside the model), the energy tables.
struct SweepInputs {
  std::string model_path;
  Graph graph;
  Dataset test, train;  // synthetic data: sim_images test samples, calib_images calibration ones
  std::map<std::string, EnergyTable> tables;  // by the grid's name
  bool accuracy_measured() const { return test.labelled(); }
};
// Loads them; InputError "<grid>: energy_table: ..." or "<grid>: eval_images/sim_images: the test
// set holds N" for a grid asking for what is not there.
SweepInputs load_sweep_inputs(const SweepGrid& g);

}  // namespace qarray::explore
