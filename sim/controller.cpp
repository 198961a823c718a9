#include "sim/controller.h"

#include <algorithm>
#include <set>
#include <utility>

namespace qarray {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t bytes_of(int64_t elements, int bits) { return ceil_div(elements * bits, 8); }

}  // namespace

Controller::Controller(sc_core::sc_module_name name, SystolicArray& array, Accumulator& acc,
                       PostProcessing& ppu, VectorUnit& vector_unit, Dma& dma, Sram& ifmap, Sram& weight, Sram& ofmap)
    : sc_module(name), array_(array), acc_(acc), ppu_(ppu), vu_(vector_unit), dma_(dma), ifmap_(ifmap), weight_(weight),
      ofmap_(ofmap) {
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
    ifmap_.configure(arch.ifmap);
    weight_.configure(arch.weight);
    ofmap_.configure(arch.ofmap);
    LayerCounters& k = job_->counters;
    k = LayerCounters{};
    k.first_output_cycle = -1;
    if (job_->layer->on_array()) run_array_layer();
    else if (job_->layer->on_vector_unit()) run_vector_unit_layer();
    else run_vector_layer();
    finish_counters();
  }
}

// The layer's totals and each unit's idle cycles once the last write-back is in DRAM.
void Controller::finish_counters() {
  const ArchConfig& arch = *job_->arch;
  LayerCounters& k = job_->counters;
  k.total_cycles = cycles_since_start();
  k.drain_cycles = job_->layer->on_vector_unit() ? VectorUnit::kLatencyCycles : PostProcessing::kLatencyCycles;
  k.dram_stall_cycles =
      k.total_cycles - k.weight_load_cycles - k.compute_cycles - k.drain_cycles - k.sram_stall_cycles;
  k.stall_cycles = k.dram_stall_cycles + k.sram_stall_cycles;
  k.dram_read_bytes = dma_.read_bytes();
  k.dram_write_bytes = dma_.write_bytes();
  k.pe_utilization = pe_utilization(k.macs, k.total_cycles, arch.rows, arch.cols);
  k.dma.busy = dma_.busy_cycles();
  k.dma.stall = dma_.stall_cycles();
  k.ifmap = ifmap_.counters();
  k.weight = weight_.counters();
  k.ofmap = ofmap_.counters();
  for (UnitCycles* u : {&k.array, &k.post_processing, &k.vector_unit, &k.dma, &k.ifmap.cycles, &k.weight.cycles,
                        &k.ofmap.cycles})
    u->idle = k.total_cycles - u->busy - u->stall;
}

std::vector<Controller::ScheduledFold> Controller::schedule() const {
  const ArchConfig& a = *job_->arch;
  const int32_t ab = a.act_word_bits(), wb = a.weight_word_bits(), accb = a.acc_word_bits();
  std::vector<ScheduledFold> folds;
  for (size_t i = 0; i < job_->gemm->passes.size(); ++i) {
    const GemmPass& pass = job_->gemm->passes[i];
    const FoldPlan& plan = job_->plans[i];
    const bool x_resident = pass.k * pass.p * ab <= a.ifmap.tile_bytes() * 8;
    const bool w_resident = pass.k * pass.oc * wb <= a.weight.tile_bytes() * 8;
    std::set<std::pair<int64_t, int64_t>> x_seen, w_seen;
    std::pair<int64_t, int64_t> x_prev{-1, -1}, w_prev{-1, -1};
    for (const FoldTile& t : fold_order(pass, plan)) {
      ScheduledFold f;
      f.job = t.job;
      f.first_k = t.first_k;
      f.last_k = t.last_k;
      const std::pair<int64_t, int64_t> x_id{t.kt, t.pt}, w_id{t.kt, t.ot};
      f.x_new = x_resident ? x_seen.insert(x_id).second : x_id != x_prev;
      f.w_new = w_resident ? w_seen.insert(w_id).second : w_id != w_prev;
      const FoldRows r = dataflow_unit(a).tile_rows(f.job);
      if (f.x_new)
        f.load.push_back({dma_.burst_bytes(bytes_of(f.job.k_len * f.job.p_len, ab)),
                          ifmap_.dma_cycles(r.x.rows * ifmap_.row_words(r.x.operands, ab))});
      if (f.w_new)
        f.load.push_back({dma_.burst_bytes(bytes_of(f.job.k_len * f.job.oc_len, wb)),
                          weight_.dma_cycles(r.w.rows * weight_.row_words(r.w.operands, wb))});
      // The outputs leave at act_bits; in the buffer each sits in its accumulator word.
      if (f.last_k)
        f.store.push_back({dma_.burst_bytes(bytes_of(f.job.p_len * f.job.oc_len, ab)),
                           ofmap_.dma_cycles(r.out.rows * ofmap_.row_words(r.out.operands, accb))});
      x_prev = x_id;
      w_prev = w_id;
      folds.push_back(f);
    }
  }
  return folds;
}

// Queues the fold's tile loads (and counts the DMA's writes into the buffers); -1 when
// everything it needs is already in the buffers.
int64_t Controller::fetch(const ScheduledFold& f) {
  if (f.load.empty()) return -1;
  const ArchConfig& a = *job_->arch;
  const FoldRows r = dataflow_unit(a).tile_rows(f.job);
  if (f.x_new) ifmap_.count_rows(SramAccess::Fill, r.x.rows, r.x.operands, a.act_word_bits());
  if (f.w_new) weight_.count_rows(SramAccess::Fill, r.w.rows, r.w.operands, a.weight_word_bits());
  return dma_.request(f.load, false, sc_core::sc_time_stamp());
}

// The fold's SRAM accesses by the array (counted per bank) and the cycles its steps need from
// the ports: each row of a tile is one step.
EdgeTiming Controller::count_fold(const ScheduledFold& f) {
  const ArchConfig& a = *job_->arch;
  const int32_t ab = a.act_word_bits(), wb = a.weight_word_bits(), accb = a.acc_word_bits();
  const FoldRows r = dataflow_unit(a).tile_rows(f.job);
  ifmap_.count_rows(SramAccess::Read, r.x.rows, r.x.operands, ab);
  weight_.count_rows(SramAccess::Read, r.w.rows, r.w.operands, wb);
  ofmap_.count_rows(SramAccess::Write, r.out.rows, r.out.operands, accb);
  if (!f.first_k) ofmap_.count_rows(SramAccess::Read, r.out.rows, r.out.operands, accb);
  const int64_t x = ifmap_.step_cycles(ifmap_.row_words(r.x.operands, ab));
  const int64_t w = weight_.step_cycles(weight_.row_words(r.w.operands, wb));
  const int64_t out = ofmap_.step_cycles((f.first_k ? 1 : 2) * ofmap_.row_words(r.out.operands, accb));
  ifmap_.add_steps(r.x.rows, x);
  weight_.add_steps(r.w.rows, w);
  ofmap_.add_steps(r.out.rows, out);
  return dataflow_unit(a).edge_timing(x, w, out);
}

void Controller::run_array_layer() {
  const ArchConfig& arch = *job_->arch;
  LayerCounters& k = job_->counters;
  array_.configure(arch.rows, arch.cols, arch.dataflow, period_);
  ppu_.configure(*job_->layer, job_->out_zero_point, arch.acc_bits);
  array_.reset_counters();
  ppu_rows_ = 0;
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
    // A single-buffered ofmap holds one accumulator tile: a new tile waits until the previous
    // one has left for DRAM (with double buffering it accumulates in the other half meanwhile).
    if (first_k_ && !arch.ofmap.double_buffer && last_write >= 0) dma_.wait_for(last_write);
    if (first_k_) acc_.begin_tile(fold_.p_len, fold_.oc_len);
    const EdgeTiming timing = count_fold(s);
    ++k.folds;
    array_.launch(fold_, this, timing);
    wait(array_.done);
    // The finished tile goes back to DRAM once it has left the post-processing pipeline.
    if (last_k_) {
      const FoldRows r = dataflow_unit(arch).tile_rows(fold_);
      ofmap_.count_rows(SramAccess::Drain, r.out.rows, r.out.operands, arch.acc_word_bits());
      last_write = dma_.request(s.store, true, sc_core::sc_time_stamp() + ppu_latency);
    }
    if (!prefetch && f + 1 < folds.size()) ticket[f + 1] = fetch(folds[f + 1]);
  }
  const int64_t last_fold_end = cycles_since_start();
  wait(ppu_latency);
  dma_.wait_for(last_write);
  k.weight_load_cycles = array_.preload_cycles();
  k.compute_cycles = array_.stream_cycles();
  k.sram_stall_cycles = array_.sram_stall_cycles();
  // The array: busy in its preloads and streams; stalled in its SRAM bubbles and while it waits
  // for a fold's tiles; idle after its last fold.
  k.array.busy = k.weight_load_cycles + k.compute_cycles;
  k.array.stall = last_fold_end - k.array.busy;
  k.post_processing.busy = ppu_rows_ + PostProcessing::kLatencyCycles;
}

void Controller::run_vector_layer() {
  const ArchConfig& arch = *job_->arch;
  const VectorJob& v = job_->vector;
  const int32_t bits = arch.act_word_bits();
  // The DMA lays the inputs out as the post-processing unit reads them (post_processing.h).
  std::vector<DmaSegment> load{{dma_.burst_bytes(bytes_of(v.a->size(), bits)),
                                ifmap_.dma_cycles(ifmap_.row_words(v.a->size(), bits))}};
  ifmap_.count_rows(SramAccess::Fill, 1, v.a->size(), bits);
  if (v.b) {
    load.push_back({dma_.burst_bytes(bytes_of(v.b->size(), bits)), ifmap_.dma_cycles(ifmap_.row_words(v.b->size(), bits))});
    ifmap_.count_rows(SramAccess::Fill, 1, v.b->size(), bits, add_second_input_word(ifmap_, v.a->size(), bits));
  }
  dma_.wait_for(dma_.request(load, false, sc_core::sc_time_stamp()));
  const int64_t start = cycles_since_start();
  LayerCounters& k = job_->counters;
  ppu_.launch(v, arch.cols, period_, &k, {&ifmap_, &ofmap_, bits});
  wait(ppu_.done);
  k.first_output_cycle = start + ppu_.first_group_cycles() + PostProcessing::kLatencyCycles;
  k.post_processing.busy = k.compute_cycles + PostProcessing::kLatencyCycles;
  k.post_processing.stall = k.sram_stall_cycles;
  const int64_t n = v.output->size();
  ofmap_.count_rows(SramAccess::Drain, 1, n, bits);
  dma_.wait_for(dma_.request({{dma_.burst_bytes(bytes_of(n, bits)), ofmap_.dma_cycles(ofmap_.row_words(n, bits))}},
                             true, sc_core::sc_time_stamp()));
}

// Lut, mul and concat: the DMA brings every input (laid out as vector_input_words() says), the
// vector unit computes, the output goes back to DRAM.
void Controller::run_vector_unit_layer() {
  const ArchConfig& arch = *job_->arch;
  const VectorUnitJob& v = job_->vector_unit;
  const int32_t bits = arch.act_word_bits();
  const std::vector<int64_t> base = vector_input_words(ifmap_, v, bits);
  std::vector<DmaSegment> load;
  for (size_t k = 0; k < v.x.size(); ++k) {
    const int64_t n = v.x[k]->size();
    load.push_back({dma_.burst_bytes(bytes_of(n, bits)), ifmap_.dma_cycles(ifmap_.row_words(n, bits))});
    ifmap_.count_rows(SramAccess::Fill, 1, n, bits, base[k]);
  }
  dma_.wait_for(dma_.request(load, false, sc_core::sc_time_stamp()));
  const int64_t start = cycles_since_start();
  LayerCounters& k = job_->counters;
  vu_.launch(v, arch.cols, period_, &k, &ifmap_, &ofmap_, bits);
  wait(vu_.done);
  k.first_output_cycle = start + vu_.first_group_cycles() + VectorUnit::kLatencyCycles;
  k.vector_unit.busy = k.compute_cycles + VectorUnit::kLatencyCycles;
  k.vector_unit.stall = k.sram_stall_cycles;
  const int64_t n = v.output->size();
  ofmap_.count_rows(SramAccess::Drain, 1, n, bits);
  dma_.wait_for(dma_.request({{dma_.burst_bytes(bytes_of(n, bits)), ofmap_.dma_cycles(ofmap_.row_words(n, bits))}},
                             true, sc_core::sc_time_stamp()));
}

// Finished sums leave the array: accumulate; after the last k fold they are final and go
// through post-processing into the output tensor.
void Controller::vector_row(int64_t p, const uint32_t* sums) {
  const uint32_t* acc = acc_.accumulate(p, sums, first_k_);
  if (!last_k_) return;
  ++ppu_rows_;
  for (int64_t c = 0; c < fold_.oc_len; ++c) finish(p, c, acc[c]);
  note_first_output();
}

void Controller::channel_row(int64_t oc, const uint32_t* sums) {
  acc_.accumulate_column(oc, sums, first_k_);
  if (!last_k_) return;
  ++ppu_rows_;
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
