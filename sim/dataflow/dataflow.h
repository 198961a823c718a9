// The dataflows of the systolic array: their identity (enum, name, the one parser). What each
// dataflow does — tiling, SRAM layout, fold timing, edge feeding, RTL stimulus, register
// activity — is its unit in this folder (dataflow_unit.h).
//
// Contract: the enum values are the RTL encoding of the DATAFLOW parameter of rtl/pe.v,
// rtl/systolic_array.v and rtl/array_datapath.v (qarray_rtl_params writes static_cast<int>).
#pragma once
#include <cstdint>
#include <string>

namespace qarray {

enum class Dataflow : int32_t { WeightStationary = 0, OutputStationary = 1, InputStationary = 2 };

// "ws", "os", "is".
const char* dataflow_name(Dataflow d);
// The names above; anything else throws InputError "unknown dataflow 'NAME' (expected ws, os or
// is)" (callers prefix the file and key, or the flag).
Dataflow parse_dataflow(const std::string& name);

}  // namespace qarray
