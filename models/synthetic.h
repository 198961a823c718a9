// Synthetic inputs for timing and energy without a dataset (`--synthetic`): random 8-bit images
// of the model input's shape, without labels, so accuracy is never measured on them.
//
// Distribution: every element of sample i of a split is an independent 8-bit value, uniform on
// {0, ..., 255}: the top 8 bits of successive outputs of std::mt19937 seeded through
// std::seed_seq{seed, split (0 test, 1 calibration), low 32 bits of i, high 32 bits of i} (both
// exactly specified by the C++ standard, so every platform draws the same values). The values
// then take steps 5-6 of the preprocessing pipeline (scale to [0, 1], mean/std; resize and crop
// do not apply, the images are drawn at the model's size); element e of a C×H×W input belongs
// to channel e / (H·W).
#pragma once
#include <cstdint>
#include <string>

#include "models/dataset.h"

namespace qarray {

// `count` samples; the test and calibration splits draw different images.
Dataset synthetic_dataset(uint32_t seed, Split split, int64_t count, const Preprocess& pre, const ModelInput& input);

// The distribution in a few words, for reports: "uniform 8-bit values 0-255 (std::mt19937, seed 1)".
std::string synthetic_distribution(uint32_t seed);

}  // namespace qarray
