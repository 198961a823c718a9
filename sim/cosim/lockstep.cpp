#include "sim/cosim/lockstep.h"

#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>

#include "base/errors.h"
#include "sim/cosim/datapath_model.h"
#include "sim/cosim/rtl_params.h"

namespace qarray {
namespace {

using sc_core::sc_time;

// The cosim clock: the arrays count cycles, so the arch's clock_mhz plays no role here.
const sc_time kPeriod(1000, sc_core::SC_PS);
const sc_time kHalf(500, sc_core::SC_PS);

// Cycles after the last fold until its last row has left post-processing.
constexpr int64_t kTailCycles = Accumulator::kLatencyCycles + PostProcessing::kLatencyCycles;

uint32_t low_bits_mask(int bits) { return bits >= 32 ? 0xffffffffu : (1u << bits) - 1; }

// Post-processing parameters of row `index` for `cols` lanes: each lane's channel's bias', M0 and
// shift (zero on lanes outside the tile).
void row_post_processing(const DataflowUnit& unit, const Layer& layer, const FoldJob& job, int64_t index,
                         int32_t cols, int32_t* bias, int32_t* m0, int32_t* shift) {
  const int64_t lanes = unit.row_lanes(job);
  for (int64_t c = 0; c < cols; ++c) {
    if (c >= lanes) {
      bias[c] = m0[c] = shift[c] = 0;
      continue;
    }
    const int64_t ch = unit.row_channel(job, index, c);
    const QuantizedMultiplier& m = layer.requant.size() == 1 ? layer.requant[0] : layer.requant[ch];
    bias[c] = layer.bias[ch];
    m0[c] = m.m0;
    shift[c] = m.shift;
  }
}

// The controller's tag of the row the array delivers in one cycle (schedule, not model output).
struct RowTag {
  int64_t fold = -1, index = -1;
  bool valid() const { return fold >= 0; }
};

class LockstepTop : public sc_core::sc_module, private ArrayOutputSink {
 public:
  SC_HAS_PROCESS(LockstepTop);
  explicit LockstepTop(sc_core::sc_module_name name)
      : sc_module(name), array("array"), ppu("post_processing"), model(ppu) {
    array.set_sync_quantum(1);
    for (const RtlVariant& v : rtl_variants()) rtl.push_back(v.make(("rtl_" + v.name).c_str()));
    SC_THREAD(drive);
    SC_METHOD(count_done);
    sensitive << array.done;
    dont_initialize();
  }

  void launch(LockstepRun* run) {
    run_ = run;
    start_.notify(sc_core::SC_ZERO_TIME);
  }

  SystolicArray array;
  PostProcessing ppu;
  DatapathModel model;
  std::vector<std::unique_ptr<RtlDatapath>> rtl;

 private:
  // A row of the model array, stamped with the cycle of its fold in which it was delivered.
  struct ArrayRow {
    int64_t cycle, index;
    std::vector<uint32_t> sums;
  };

  void count_done() { ++done_count_; }
  void vector_row(int64_t p, const uint32_t* sums) override { record(p, sums); }
  void channel_row(int64_t oc, const uint32_t* sums) override { record(oc, sums); }
  void record(int64_t index, const uint32_t* sums) {
    const int64_t cycle = static_cast<int64_t>((array.local_time() - t0_).value() / kPeriod.value());
    array_rows_.push_back({cycle, index, std::vector<uint32_t>(sums, sums + cols_)});
  }

  void tick() {
    wait(kHalf);
    r_->clk.write(true);
    wait(kHalf);
    r_->clk.write(false);
  }

  const RowTag& tag(int64_t cycle) const {
    static const RowTag none;
    return cycle < 0 ? none : tags_[static_cast<size_t>(cycle) % tags_.size()];
  }

  void drive() {
    for (;;) {
      wait(start_);
      run_one(*run_);
    }
  }

  void run_one(LockstepRun& run) {
    const RtlVariant& v = *run.variant;
    r_ = rtl[static_cast<size_t>(&v - rtl_variants().data())].get();
    unit_ = &dataflow_unit(v.dataflow);
    cols_ = v.cols;
    array.configure(v.rows, v.cols, v.dataflow, kPeriod);
    if (!run.rtl_only) model.begin(run, *unit_);
    in_.west.assign(v.rows, 0u);
    in_.north.assign(v.cols, 0u);
    got_.assign(v.cols, 0u);
    bias_.assign(v.cols, 0);
    m0_.assign(v.cols, 0);
    shift_.assign(v.cols, 0);
    tags_.assign(8, RowTag{});
    fold_start_.assign(run.folds.size(), 0);
    pp_row_ = RowTag{};
    current_fold_ = 0;
    // One reset cycle: the RTL starts every run from zero, as SystemC's clear() does.
    drive_inputs(run, -1, -1, -1);
    r_->rst.write(true);
    tick();
    r_->rst.write(false);
    int64_t t = 0;
    for (size_t f = 0; f < run.folds.size() && !run.mismatch; ++f) {
      const FoldJob& job = run.folds[f].job;
      array_rows_.clear();
      t0_ = sc_core::sc_time_stamp();
      fold_start_[f] = t;
      current_fold_ = static_cast<int64_t>(f);
      const int64_t done_before = done_count_;
      if (!run.rtl_only) {
        model.begin_fold(f);
        array.launch(job, this);
      }
      const int64_t len = unit_->schedule(job, v.rows, v.cols).cycles();
      for (int64_t n = 0; n < len && !run.mismatch; ++n) cycle(run, t++, static_cast<int64_t>(f), n);
      // The model array ends its fold in this very cycle; let it finish before the next one.
      while (!run.rtl_only && done_count_ == done_before) wait(array.done);
    }
    for (int64_t i = 0; i < kTailCycles && !run.mismatch; ++i) cycle(run, t++, -1, -1);
  }

  // The controller's inputs of run cycle t: the array stimulus of cycle n of fold f (f < 0: an
  // idle cycle), the accumulator tag of the array row of cycle t - 1 and the post-processing
  // parameters of the accumulator row of cycle t - 1 (array row t - 2).
  void drive_inputs(const LockstepRun& run, int64_t t, int64_t f, int64_t n) {
    const RtlVariant& v = *run.variant;
    const FoldJob* job = f >= 0 ? &run.folds[f].job : nullptr;
    if (job) unit_->rtl_inputs(*job, v.rows, v.cols, n, in_);
    else in_.idle();
    r_->load.write(in_.load);
    r_->drain.write(in_.drain);
    r_->in_valid.write(in_.valid);
    r_->set_array_inputs(in_.west.data(), in_.north.data(), in_.rows_used);
    if (t < 0) return;
    const int64_t out = job ? unit_->output_row(*job, v.rows, v.cols, n) : -1;
    tags_[static_cast<size_t>(t) % tags_.size()] = out >= 0 ? RowTag{f, out} : RowTag{};
    const RowTag& a = tag(t - 1);
    r_->acc_first.write(a.valid() && run.folds[a.fold].first_k);
    r_->acc_last.write(a.valid() && run.folds[a.fold].last_k);
    if (a.valid()) r_->set_acc_addr(static_cast<uint32_t>(a.index));
    const RowTag& p = tag(t - 2);
    // Vector rows of one fold share their lanes' channels; channel rows each have their own.
    const bool new_params =
        p.fold != pp_row_.fold || (unit_->row_kind() == RowKind::Channel && p.index != pp_row_.index);
    if (p.valid() && run.folds[p.fold].last_k && new_params) {
      row_post_processing(*unit_, *run.layer, run.folds[p.fold].job, p.index, v.cols, bias_.data(), m0_.data(),
                          shift_.data());
      r_->set_pp_params(bias_.data(), m0_.data(), shift_.data(), run.out_zero_point, run.layer->clamp_lo,
                        run.layer->clamp_hi);
      pp_row_ = p;
    }
  }

  void cycle(LockstepRun& run, int64_t t, int64_t f, int64_t n) {
    drive_inputs(run, t, f, n);
    tick();
    ++run.cycles;
    if (run.rtl_only) return;
    if (!compare_array(run, t, f, n)) return;
    if (!compare_stage(run, t, CosimStage::Accumulator, model.acc)) return;
    compare_stage(run, t, CosimStage::PostProcessing, model.out);
  }

  // The mismatch skeleton of run cycle t for a row of fold f (-1: the fold in progress or, in the
  // tail, the last one).
  DatapathMismatch at(CosimStage stage, int64_t t, int64_t f) const {
    DatapathMismatch m;
    m.stage = stage;
    m.fold = f >= 0 ? f : current_fold_;
    m.fold_cycle = t - fold_start_[m.fold];
    m.run_cycle = t;
    return m;
  }
  bool fail(LockstepRun& run, const DatapathMismatch& m) {
    run.first = m;
    run.mismatch = true;
    return false;
  }
  // False (and the mismatch recorded) when the stage's RTL valid differs from the model's row.
  template <typename Row>
  bool same_valid(LockstepRun& run, DatapathMismatch& m, bool valid, const Row* expected) {
    if (valid == (expected != nullptr)) return true;
    m.valid_differs = true;
    m.expected_valid = expected != nullptr;
    m.actual_valid = valid;
    m.index = expected ? expected->index : -1;
    return fail(run, m);
  }

  // Array stage: the RTL's out_valid / out_sums against the model array's row of cycle n.
  bool compare_array(LockstepRun& run, int64_t t, int64_t f, int64_t n) {
    const RtlVariant& v = *run.variant;
    const ArrayRow* e = nullptr;
    while (f >= 0 && !array_rows_.empty() && array_rows_.front().cycle < n) array_rows_.pop_front();
    if (f >= 0 && !array_rows_.empty() && array_rows_.front().cycle == n) e = &array_rows_.front();
    const bool valid = r_->out_valid();
    DatapathMismatch m = at(CosimStage::Array, t, f);
    if (f >= 0) m.pe_row = unit_->drained_pe_row(run.folds[f].job, v.rows, v.cols, n);
    if (!same_valid(run, m, valid, e)) return false;
    if (!e) return true;
    const uint32_t mask = low_bits_mask(v.acc_bits);
    r_->out_sums(got_.data());
    for (int32_t c = 0; c < v.cols; ++c) {
      if ((got_[c] & mask) == (e->sums[c] & mask)) continue;
      m.column = c;
      m.index = e->index;
      m.expected = e->sums[c] & mask;
      m.actual = got_[c] & mask;
      m.expected_valid = m.actual_valid = true;
      return fail(run, m);
    }
    ++run.array_rows;
    model.array_row(t, static_cast<size_t>(f), e->index, e->sums.data());
    return true;
  }

  // Accumulator or post-processing stage: the RTL's valid and lanes against the model's row
  // expected in cycle t.
  bool compare_stage(LockstepRun& run, int64_t t, CosimStage stage, std::deque<ExpectedRow>& expected) {
    const RtlVariant& v = *run.variant;
    const bool acc = stage == CosimStage::Accumulator;
    const ExpectedRow* e = !expected.empty() && expected.front().cycle == t ? &expected.front() : nullptr;
    const bool valid = acc ? r_->acc_valid() : r_->pp_valid();
    DatapathMismatch m = at(stage, t, e ? static_cast<int64_t>(e->fold) : -1);
    if (!same_valid(run, m, valid, e)) return false;
    if (!e) return true;
    if (acc) r_->acc_row(got_.data());
    else r_->pp_codes(got_.data());
    const uint32_t mask = acc ? low_bits_mask(v.acc_bits) : 0xffffffffu;
    for (size_t c = 0; c < e->lanes.size(); ++c) {
      if ((got_[c] & mask) == (e->lanes[c] & mask)) continue;
      m.column = static_cast<int64_t>(c);
      m.index = e->index;
      if (!acc) m.channel = unit_->row_channel(run.folds[e->fold].job, e->index, static_cast<int64_t>(c));
      m.expected = e->lanes[c] & mask;
      m.actual = got_[c] & mask;
      m.expected_valid = m.actual_valid = true;
      return fail(run, m);
    }
    if (acc) {
      ++run.acc_rows;
    } else {
      ++run.output_rows;
      if (run.sink) run.sink->output_row(e->fold, e->index, got_.data());
    }
    expected.pop_front();
    return true;
  }

  sc_core::sc_event start_;
  LockstepRun* run_ = nullptr;
  RtlDatapath* r_ = nullptr;
  const DataflowUnit* unit_ = nullptr;
  sc_time t0_;
  int32_t cols_ = 1;
  std::deque<ArrayRow> array_rows_;
  int64_t done_count_ = 0;
  ArrayCycleInputs in_;
  std::vector<uint32_t> got_;
  std::vector<int32_t> bias_, m0_, shift_;
  std::vector<RowTag> tags_;  // ring of the last cycles' tags
  std::vector<int64_t> fold_start_;
  int64_t current_fold_ = 0;
  RowTag pp_row_;  // the row whose post-processing parameters are on the RTL's ports
};

std::mutex& top_mutex() {
  static std::mutex m;
  return m;
}

LockstepTop& top() {
  static LockstepTop* t = [] {
    if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
      throw InputError("co-simulation: the SystemC kernel of this process already runs another model "
                       "(run the co-simulation in its own process)");
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    auto* top = new LockstepTop("qarray_cosim");  // lives as long as the kernel
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    return top;
  }();
  return *t;
}

std::string extension(const std::string& path) {
  const size_t dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(dot + 1);
}

}  // namespace

void run_lockstep(LockstepRun& run) {
  const RtlVariant& v = *run.variant;
  for (const CosimFold& f : run.folds) {
    const int64_t rows = dataflow_unit(v.dataflow).delivered_rows(f.job);
    if (rows > v.acc_depth)
      throw InputError("RTL variant " + v.name + ": a tile of " + std::to_string(rows) +
                       " rows exceeds its accumulator depth " + std::to_string(v.acc_depth));
  }
  if (!run.trace_path.empty() && extension(run.trace_path) != v.trace_format)
    throw InputError("--trace " + run.trace_path + ": RTL variant " + v.name + " writes " + v.trace_format +
                     " traces (name the file *." + v.trace_format + ")");
  std::lock_guard<std::mutex> lock(top_mutex());
  LockstepTop& t = top();
  RtlDatapath& r = *t.rtl[static_cast<size_t>(run.variant - rtl_variants().data())];
  if (!run.trace_path.empty()) r.open_trace(run.trace_path);
  t.launch(&run);
  sc_core::sc_start();
  if (!run.trace_path.empty()) r.close_trace();
}

}  // namespace qarray
