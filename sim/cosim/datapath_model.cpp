#include "sim/cosim/datapath_model.h"

namespace qarray {

void DatapathModel::begin(const LockstepRun& run, const DataflowUnit& unit) {
  run_ = &run;
  unit_ = &unit;
  acc.clear();
  out.clear();
  ppu_.configure(*run.layer, run.out_zero_point, run.variant->acc_bits);
}

void DatapathModel::begin_fold(size_t f) {
  const CosimFold& fold = run_->folds[f];
  if (fold.first_k) acc_.begin_tile(fold.job.p_len, fold.job.oc_len);
}

void DatapathModel::array_row(int64_t cycle, size_t f, int64_t index, const uint32_t* sums) {
  const CosimFold& fold = run_->folds[f];
  const FoldJob& j = fold.job;
  ExpectedRow row{cycle + Accumulator::kLatencyCycles, f, index, {}};
  if (unit_->row_kind() == RowKind::Channel) {
    acc_.accumulate_column(index, sums, fold.first_k);
    for (int64_t p = 0; p < j.p_len; ++p) row.lanes.push_back(acc_.word(p, index));
  } else {
    const uint32_t* words = acc_.accumulate(index, sums, fold.first_k);
    row.lanes.assign(words, words + j.oc_len);
  }
  if (fold.last_k) {
    ExpectedRow codes{row.cycle + PostProcessing::kLatencyCycles, f, index, {}};
    for (size_t c = 0; c < row.lanes.size(); ++c)
      codes.lanes.push_back(static_cast<uint32_t>(ppu_.apply(row.lanes[c], unit_->row_channel(j, index, static_cast<int64_t>(c)))));
    out.push_back(std::move(codes));
  }
  acc.push_back(std::move(row));
}

}  // namespace qarray
