#include "sim/dataflow/dataflow_unit.h"

namespace qarray {

int64_t DataflowUnit::delivered_rows(const FoldJob& job) const {
  return row_kind() == RowKind::Channel ? job.oc_len : job.p_len;
}

int64_t DataflowUnit::row_lanes(const FoldJob& job) const {
  return row_kind() == RowKind::Channel ? job.p_len : job.oc_len;
}

int64_t DataflowUnit::row_channel(const FoldJob& job, int64_t index, int64_t lane) const {
  return job.pass->channel[job.oc0 + (row_kind() == RowKind::Channel ? index : lane)];
}

int64_t DataflowUnit::row_vector(int64_t index, int64_t lane) const {
  return row_kind() == RowKind::Channel ? lane : index;
}

int64_t DataflowUnit::drained_pe_row(const FoldJob&, int32_t, int32_t, int64_t) const { return -1; }

}  // namespace qarray
