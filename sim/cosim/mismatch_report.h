// The one-line report of the first difference between the two datapaths (sim/cosim/README.md
// "Mismatch report"): label, variant, fold (pass, k0, oc0, p0), cycle of the fold and of the run, the
// stage, where (PE, column or lane, with the row's vector / weight column and channel) and both
// values.
#pragma once
#include <string>
#include <vector>

#include "sim/cosim/lockstep.h"

namespace qarray {

std::string describe_mismatch(const std::string& label, const LockstepRun& run, const std::vector<size_t>& fold_pass);

}  // namespace qarray
