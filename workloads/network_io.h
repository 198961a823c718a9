// On-disk format of a lowered network, loadable without the ONNX file:
//
//   DIR/network.json   descriptor: {"format": "qarray-workloads", "version": 1, "name",
//                      "acc_bits", "input", "output", "data_file": "tensors.bin",
//                      "tensors": [{"name", "shape", "scale", "zero_point", "bits"}],
//                      "layers": [{"name", "kind", "inputs", "output", "clamp": [lo, hi], ...}]}
//   DIR/tensors.bin    little-endian blobs referenced by {"offset", "count", "dtype"}:
//                      weights int8 (weight_bits <= 8) or int16, biases int32.
//
// Layer keys by kind — conv/depthwise: "kernel" [kh, kw], "stride" [sh, sw], "pads"
// [top, left, bottom, right], "weight_bits", "weight_shape", "weight_scale", "weights", "bias",
// "requant" {"m0": [...], "shift": [...]}; fc: the same without the window keys; add:
// "add_left_shift", "input_mult" [{"m0", "shift"}, {"m0", "shift"}], "requant";
// maxpool/avgpool: the window keys and (avgpool) "count_include_pad"; lut: "lut_shift", "table"
// (int32 blob); mul: "requant" (one); concat: "requant" (one per input), "concat_axis".
#pragma once
#include <string>

#include "workloads/network.h"

namespace qarray {

// Writes both files (each through a temporary file and a rename); creates DIR if needed.
void save_network(const Network& net, const std::string& dir);

// Reads and validates; every error names the file and the key.
Network load_network(const std::string& dir);

}  // namespace qarray
