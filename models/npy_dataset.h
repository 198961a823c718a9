// .npy datasets: an array of samples and an array of labels (models/npy.h reads the files).
//
//   images  uint8 ('|u1'): 8-bit images, shape [N, H, W] (gray) or [N, C, H, W] with C 1 or 3;
//           they go through the whole preprocessing pipeline (models/preprocess.h).
//           float32 ('<f4'): network inputs as they are, shape [N, <model input shape>]; no
//           preprocessing applies (flags that set some are refused; a preprocessing JSON beside
//           the model is not applied, and the data line says so).
//   labels  int64 ('<i8', NumPy's default), int32 ('<i4') or uint8 ('|u1'), shape [N], each in
//           [0, classes of the model output).
// Any other dtype is refused naming it; rows are read from the file as they are needed.
#pragma once
#include <string>

#include "models/dataset.h"

namespace qarray {

// InputError "<file>: ..." naming the file, the dtype or shape and what was expected.
Dataset npy_dataset(const std::string& images, const std::string& labels, const Preprocess& pre,
                    const ModelInput& input, const std::string& origin);

}  // namespace qarray
