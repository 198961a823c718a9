// The variant table of an executable that holds no verilated RTL: the qarray that scripts/run
// builds. Its `qarray cosim` runs the executable of the same build that holds the compiled
// variants (qarray-rtl, built on first use; app/cosim_ondemand.h).
#include "sim/cosim/variants.h"

namespace qarray {

const std::vector<RtlVariant>& rtl_variants() {
  static const std::vector<RtlVariant> none;
  return none;
}

}  // namespace qarray
