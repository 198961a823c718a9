#include "sim/cosim/lockstep.h"

#include <verilated.h>

#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>

#include "models/errors.h"
#include "sim/cosim/fold_stimulus.h"

namespace qarray {
namespace {

using sc_core::sc_time;

// The cosim clock: the arrays count cycles, so the arch's clock_mhz plays no role here.
const sc_time kPeriod(1000, sc_core::SC_PS);
const sc_time kHalf(500, sc_core::SC_PS);

class LockstepTop : public sc_core::sc_module, private ArrayOutputSink {
 public:
  SC_HAS_PROCESS(LockstepTop);
  explicit LockstepTop(sc_core::sc_module_name name) : sc_module(name), array("array"), ppu("post_processing") {
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
  std::vector<std::unique_ptr<RtlArray>> rtl;

 private:
  struct Expected {
    int64_t cycle, index;
    std::vector<uint32_t> sums;
  };

  void count_done() { ++done_count_; }
  void vector_row(int64_t p, const uint32_t* sums) override { record(p, sums); }
  void channel_row(int64_t oc, const uint32_t* sums) override { record(oc, sums); }
  void record(int64_t index, const uint32_t* sums) {
    const int64_t cycle = static_cast<int64_t>((array.local_time() - t0_).value() / kPeriod.value());
    expected_.push_back({cycle, index, std::vector<uint32_t>(sums, sums + cols_)});
  }

  void tick(RtlArray& r) {
    wait(kHalf);
    r.clk.write(true);
    wait(kHalf);
    r.clk.write(false);
  }

  void drive() {
    for (;;) {
      wait(start_);
      LockstepRun& run = *run_;
      const RtlVariant& v = *run.variant;
      RtlArray& r = *rtl[static_cast<size_t>(&v - rtl_variants().data())];
      cols_ = v.cols;
      array.configure(v.rows, v.cols, v.dataflow, kPeriod);
      ArrayCycleInputs in;
      in.west.assign(v.rows, 0u);
      in.north.assign(v.cols, 0u);
      // One reset cycle: the RTL starts every run from zero, as SystemC's clear() does.
      r.load.write(false);
      r.drain.write(false);
      r.in_valid.write(false);
      r.set_data(in.west.data(), in.north.data(), 0);
      r.rst.write(true);
      tick(r);
      r.rst.write(false);
      const uint32_t mask = v.acc_bits >= 32 ? 0xffffffffu : (1u << v.acc_bits) - 1;
      std::vector<uint32_t> got(v.cols);
      for (size_t f = 0; f < run.folds.size() && !run.mismatch; ++f) {
        const FoldJob& job = run.folds[f].job;
        expected_.clear();
        t0_ = sc_core::sc_time_stamp();
        const int64_t done_before = done_count_;
        if (!run.rtl_only) array.launch(job, this);
        const int64_t len = fold_cycles(v.dataflow, v.rows, v.cols, job);
        for (int64_t n = 0; n < len; ++n) {
          fold_inputs(v.dataflow, v.rows, v.cols, job, n, in);
          r.load.write(in.load);
          r.drain.write(in.drain);
          r.in_valid.write(in.valid);
          r.set_data(in.west.data(), in.north.data(), in.row_mask);
          tick(r);
          ++run.cycles;
          if (run.rtl_only) continue;
          // SystemC's row of this cycle, if any (computed at the start of the cycle's time).
          const Expected* e = nullptr;
          while (!expected_.empty() && expected_.front().cycle < n) expected_.pop_front();
          if (!expected_.empty() && expected_.front().cycle == n) e = &expected_.front();
          const bool valid = r.out_valid();
          ArrayMismatch m;
          m.fold = static_cast<int64_t>(f);
          m.fold_cycle = n;
          m.run_cycle = run.cycles - 1;
          if (v.dataflow == Dataflow::OutputStationary && n >= len - v.rows) m.pe_row = v.rows - 1 - (n - (len - v.rows));
          if (valid != (e != nullptr)) {
            m.valid_differs = true;
            m.expected_valid = e != nullptr;
            m.actual_valid = valid;
            m.index = e ? e->index : -1;
            run.first = m;
            run.mismatch = true;
            break;
          }
          if (!e) continue;
          r.out_sums(got.data());
          for (int32_t c = 0; c < v.cols; ++c) {
            if ((got[c] & mask) == (e->sums[c] & mask)) continue;
            m.column = c;
            m.index = e->index;
            m.expected = e->sums[c] & mask;
            m.actual = got[c] & mask;
            m.expected_valid = m.actual_valid = true;
            run.first = m;
            run.mismatch = true;
            break;
          }
          if (run.mismatch) break;
          ++run.rows_compared;
          if (run.sink) run.sink->row(f, e->index, e->sums.data());
        }
        // The model array ends its fold in this very cycle; let it finish before the next one.
        while (!run.rtl_only && done_count_ == done_before) wait(array.done);
      }
    }
  }

  sc_core::sc_event start_;
  LockstepRun* run_ = nullptr;
  sc_time t0_;
  int32_t cols_ = 1;
  std::deque<Expected> expected_;
  int64_t done_count_ = 0;
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
    Verilated::traceEverOn(true);
    auto* top = new LockstepTop("qarray_cosim");  // lives as long as the kernel
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    return top;
  }();
  return *t;
}

}  // namespace

void run_lockstep(LockstepRun& run) {
  std::lock_guard<std::mutex> lock(top_mutex());
  LockstepTop& t = top();
  std::unique_ptr<VerilatedVcdSc> vcd;
  if (!run.trace_path.empty()) {
    vcd = std::make_unique<VerilatedVcdSc>();
    t.rtl[static_cast<size_t>(run.variant - rtl_variants().data())]->trace(vcd.get());
    vcd->open(run.trace_path.c_str());
    if (!vcd->isOpen()) throw InputError(run.trace_path + ": cannot write the trace");
  }
  t.launch(&run);
  sc_core::sc_start();
  if (vcd) vcd->close();
  vcd.release();  // registered with the kernel's trace list; closed, never freed
}

PostProcessing& cosim_post_processing() { return top().ppu; }

}  // namespace qarray
