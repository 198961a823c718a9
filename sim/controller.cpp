#include "sim/controller.h"

#include <algorithm>
#include <set>
#include <utility>

#include "models/errors.h"

namespace qarray {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t bytes_of(int64_t elements, int bits) { return ceil_div(elements * bits, 8); }

// How many slices of `slice_bits` each fit one tile of buffer b; at least one, or an error
// naming the buffer and the capacity one slice needs.
int64_t slices_that_fit(const ArchConfig& arch, const char* buffer, const SramBuffer& b, int64_t slice_bits,
                        const std::string& what) {
  const int64_t n = b.tile_bytes() * 8 / slice_bits;
  if (n >= 1) return n;
  const int64_t min_bytes = ceil_div(slice_bits, 8) * (b.double_buffer ? 2 : 1);
  throw InputError("arch '" + arch.name + "': sram." + buffer + ".capacity_bytes " +
                   std::to_string(b.capacity_bytes) + " is too small for one " + what + "; needs at least " +
                   std::to_string(min_bytes) + " bytes" + (b.double_buffer ? " (double buffered)" : ""));
}

}  // namespace

FoldPlan plan_folds(int64_t k, int64_t oc, int64_t p, const ArchConfig& a) {
  const int64_t R = a.rows, C = a.cols;
  FoldPlan plan;
  switch (a.dataflow) {
    case Dataflow::WeightStationary: {
      slices_that_fit(a, "weight", a.weight, R * C * a.weight_word_bits(), "rows x cols weight tile");
      const int64_t kr = std::min(R, k), oc_c = std::min(C, oc);
      const int64_t by_ifmap = slices_that_fit(a, "ifmap", a.ifmap, kr * a.act_word_bits(), "input vector");
      const int64_t by_ofmap = slices_that_fit(a, "ofmap", a.ofmap, oc_c * a.acc_word_bits(), "row of accumulators");
      plan.k_tile = R;
      plan.oc_tile = C;
      plan.p_tile = std::min({p, by_ifmap, by_ofmap});
      break;
    }
    case Dataflow::InputStationary: {
      slices_that_fit(a, "ifmap", a.ifmap, R * C * a.act_word_bits(), "rows x cols input tile");
      const int64_t kr = std::min(R, k), pc = std::min(C, p);
      const int64_t by_weight = slices_that_fit(a, "weight", a.weight, kr * a.weight_word_bits(), "weight column");
      const int64_t by_ofmap = slices_that_fit(a, "ofmap", a.ofmap, pc * a.acc_word_bits(), "column of accumulators");
      plan.k_tile = R;
      plan.p_tile = C;
      plan.oc_tile = std::min({oc, by_weight, by_ofmap});
      break;
    }
    case Dataflow::OutputStationary: {
      const int64_t pr = std::min(R, p), oc_c = std::min(C, oc);
      slices_that_fit(a, "ofmap", a.ofmap, pr * oc_c * a.acc_word_bits(), "rows x cols accumulator tile");
      const int64_t by_ifmap = slices_that_fit(a, "ifmap", a.ifmap, pr * a.act_word_bits(), "reduction step of inputs");
      const int64_t by_weight = slices_that_fit(a, "weight", a.weight, oc_c * a.weight_word_bits(), "reduction step of weights");
      plan.p_tile = R;
      plan.oc_tile = C;
      plan.k_tile = std::min({k, by_ifmap, by_weight});
      break;
    }
  }
  plan.k_tiles = ceil_div(k, plan.k_tile);
  plan.oc_tiles = ceil_div(oc, plan.oc_tile);
  plan.p_tiles = ceil_div(p, plan.p_tile);
  return plan;
}

Controller::Controller(sc_core::sc_module_name name, SystolicArray& array, Accumulator& acc,
                       PostProcessing& ppu, Dma& dma)
    : sc_module(name), array_(array), acc_(acc), ppu_(ppu), dma_(dma) {
  SC_THREAD(run);
}

void Controller::launch(LayerJob* job) {
  job_ = job;
  start_.notify(sc_core::SC_ZERO_TIME);
}

int64_t Controller::cycles_since_start() const {
  return static_cast<int64_t>((sc_core::sc_time_stamp() - t0_).value() / period_.value());
}

void Controller::run() {
  for (;;) {
    wait(start_);
    const ArchConfig& arch = *job_->arch;
    period_ = sc_core::sc_time(1e6 / arch.clock_mhz, sc_core::SC_PS);
    t0_ = sc_core::sc_time_stamp();
    dma_.configure(arch.dram, period_);
    dma_.reset_counters();
    LayerCounters& k = job_->counters;
    k = LayerCounters{};
    k.first_output_cycle = -1;
    if (job_->layer->on_array()) run_array_layer();
    else run_vector_layer();
    k.total_cycles = cycles_since_start();
    k.drain_cycles = PostProcessing::kLatencyCycles;
    k.stall_cycles = k.total_cycles - k.weight_load_cycles - k.compute_cycles - k.drain_cycles;
    k.dram_read_bytes = dma_.read_bytes();
    k.dram_write_bytes = dma_.write_bytes();
    k.pe_utilization = static_cast<double>(k.macs) / (static_cast<double>(k.total_cycles) * arch.rows * arch.cols);
  }
}

std::vector<FoldTile> fold_order(const GemmPass& pass, const FoldPlan& plan) {
  std::vector<FoldTile> tiles;
  tiles.reserve(static_cast<size_t>(plan.folds()));
  for (int64_t pt = 0; pt < plan.p_tiles; ++pt)
    for (int64_t ot = 0; ot < plan.oc_tiles; ++ot)
      for (int64_t kt = 0; kt < plan.k_tiles; ++kt) {
        FoldTile t;
        t.kt = kt, t.ot = ot, t.pt = pt;
        t.job.pass = &pass;
        t.job.p0 = pt * plan.p_tile;
        t.job.p_len = std::min(plan.p_tile, pass.p - t.job.p0);
        t.job.oc0 = ot * plan.oc_tile;
        t.job.oc_len = std::min(plan.oc_tile, pass.oc - t.job.oc0);
        t.job.k0 = kt * plan.k_tile;
        t.job.k_len = std::min(plan.k_tile, pass.k - t.job.k0);
        t.first_k = kt == 0;
        t.last_k = kt == plan.k_tiles - 1;
        tiles.push_back(t);
      }
  return tiles;
}

std::vector<Controller::ScheduledFold> Controller::schedule() const {
  const ArchConfig& a = *job_->arch;
  std::vector<ScheduledFold> folds;
  for (size_t i = 0; i < job_->gemm->passes.size(); ++i) {
    const GemmPass& pass = job_->gemm->passes[i];
    const FoldPlan& plan = job_->plans[i];
    const bool x_resident = pass.k * pass.p * a.act_word_bits() <= a.ifmap.tile_bytes() * 8;
    const bool w_resident = pass.k * pass.oc * a.weight_word_bits() <= a.weight.tile_bytes() * 8;
    std::set<std::pair<int64_t, int64_t>> x_seen, w_seen;
    std::pair<int64_t, int64_t> x_prev{-1, -1}, w_prev{-1, -1};
    for (const FoldTile& t : fold_order(pass, plan)) {
      ScheduledFold f;
      f.job = t.job;
      f.first_k = t.first_k;
      f.last_k = t.last_k;
      const std::pair<int64_t, int64_t> x_id{t.kt, t.pt}, w_id{t.kt, t.ot};
      const bool x_new = x_resident ? x_seen.insert(x_id).second : x_id != x_prev;
      const bool w_new = w_resident ? w_seen.insert(w_id).second : w_id != w_prev;
      if (x_new) f.read_bytes += dma_.burst_bytes(bytes_of(f.job.k_len * f.job.p_len, a.act_word_bits()));
      if (w_new) f.read_bytes += dma_.burst_bytes(bytes_of(f.job.k_len * f.job.oc_len, a.weight_word_bits()));
      if (f.last_k) f.write_bytes = dma_.burst_bytes(bytes_of(f.job.p_len * f.job.oc_len, a.act_word_bits()));
      x_prev = x_id;
      w_prev = w_id;
      folds.push_back(f);
    }
  }
  return folds;
}

// Queues the fold's tile loads; -1 when everything it needs is already in the buffers.
int64_t Controller::fetch(const ScheduledFold& f) {
  return f.read_bytes > 0 ? dma_.request(f.read_bytes, false, sc_core::sc_time_stamp()) : -1;
}

void Controller::run_array_layer() {
  const ArchConfig& arch = *job_->arch;
  LayerCounters& k = job_->counters;
  array_.configure(arch.rows, arch.cols, arch.dataflow, period_);
  ppu_.configure(*job_->layer, job_->out_zero_point, arch.acc_bits);
  array_.reset_counters();
  acc_.reset_counters();
  for (const GemmPass& pass : job_->gemm->passes) k.macs += pass.useful_macs;
  const std::vector<ScheduledFold> folds = schedule();
  const bool prefetch = arch.ifmap.double_buffer && arch.weight.double_buffer;
  const sc_core::sc_time ppu_latency = period_ * static_cast<double>(PostProcessing::kLatencyCycles);
  std::vector<int64_t> ticket(folds.size(), -1);
  ticket[0] = fetch(folds[0]);
  int64_t last_write = -1;
  for (size_t f = 0; f < folds.size(); ++f) {
    if (ticket[f] >= 0) dma_.wait_for(ticket[f]);
    if (prefetch && f + 1 < folds.size()) ticket[f + 1] = fetch(folds[f + 1]);
    const ScheduledFold& s = folds[f];
    fold_ = s.job;
    first_k_ = s.first_k;
    last_k_ = s.last_k;
    if (first_k_) acc_.begin_tile(fold_.p_len, fold_.oc_len);
    k.weight.reads += fold_.k_len * fold_.oc_len;
    k.ifmap.reads += fold_.k_len * fold_.p_len;
    ++k.folds;
    array_.launch(fold_, this);
    wait(array_.done);
    // The finished tile goes back to DRAM once it has left the post-processing pipeline.
    if (last_k_) last_write = dma_.request(s.write_bytes, true, sc_core::sc_time_stamp() + ppu_latency);
    if (!prefetch && f + 1 < folds.size()) ticket[f + 1] = fetch(folds[f + 1]);
  }
  wait(ppu_latency);
  dma_.wait_for(last_write);
  k.weight_load_cycles = array_.preload_cycles();
  k.compute_cycles = array_.stream_cycles();
  k.ofmap = acc_.counters();
}

void Controller::run_vector_layer() {
  const ArchConfig& arch = *job_->arch;
  const VectorJob& v = job_->vector;
  int64_t in_bytes = dma_.burst_bytes(bytes_of(v.a->size(), arch.act_word_bits()));
  if (v.b) in_bytes += dma_.burst_bytes(bytes_of(v.b->size(), arch.act_word_bits()));
  dma_.wait_for(dma_.request(in_bytes, false, sc_core::sc_time_stamp()));
  const int64_t start = cycles_since_start();
  ppu_.launch(v, arch.cols, period_, &job_->counters);
  wait(ppu_.done);
  const int64_t taps = v.layer->kind == LayerKind::Add ? 1 : int64_t{v.layer->window.kh} * v.layer->window.kw;
  job_->counters.first_output_cycle = start + taps + PostProcessing::kLatencyCycles;
  dma_.wait_for(dma_.request(dma_.burst_bytes(bytes_of(v.output->size(), arch.act_word_bits())), true,
                             sc_core::sc_time_stamp()));
}

// Finished sums leave the array: accumulate; after the last k fold they are final and go
// through post-processing into the output tensor.
void Controller::vector_row(int64_t p, const uint32_t* sums) {
  const uint32_t* acc = acc_.accumulate(p, sums, first_k_);
  if (!last_k_) return;
  for (int64_t c = 0; c < fold_.oc_len; ++c) finish(p, c, acc[c]);
  note_first_output();
}

void Controller::channel_row(int64_t oc, const uint32_t* sums) {
  acc_.accumulate_column(oc, sums, first_k_);
  if (!last_k_) return;
  for (int64_t p = 0; p < fold_.p_len; ++p) finish(p, oc, acc_.word(p, oc));
  note_first_output();
}

void Controller::finish(int64_t p, int64_t oc, uint32_t acc) {
  const int64_t ch = fold_.pass->channel[fold_.oc0 + oc];
  job_->output->ptr()[job_->gemm->out_index(fold_.p0 + p, ch)] = ppu_.apply(acc, ch);
}

// The sums are valid at the end of the array's current cycle and leave the pipeline kLatency
// later.
void Controller::note_first_output() {
  if (job_->counters.first_output_cycle >= 0) return;
  const int64_t cycle = static_cast<int64_t>((array_.local_time() - t0_).value() / period_.value());
  job_->counters.first_output_cycle = cycle + 1 + PostProcessing::kLatencyCycles;
}

}  // namespace qarray
