#include "sim/vector_unit.h"

#include <algorithm>

#include "workloads/golden_kernels.h"
#include "workloads/vector_rules.h"

namespace qarray {
namespace {

// Channels and elements per channel of a layer tensor [C, ...] (a vector {K}: K channels of 1).
int64_t channels(const ActTensor& t) { return t.shape.empty() ? 1 : t.shape[0]; }
int64_t pixels(const ActTensor& t) {
  int64_t n = 1;
  for (size_t i = 1; i < t.shape.size(); ++i) n *= t.shape[i];
  return n;
}

// Channel-last position of NCHW element e of a batched [N, C, P] tensor, and back.
int64_t channel_last(int64_t e, int64_t c, int64_t p) {
  const int64_t n = e / (c * p), ch = e / p % c, px = e % p;
  return (n * p + px) * c + ch;
}
int64_t nchw_of(int64_t j, int64_t c, int64_t p) {
  const int64_t n = j / (c * p), px = j / c % p, ch = j % c;
  return (n * c + ch) * p + px;
}

}  // namespace

std::vector<int64_t> vector_input_words(const Sram& ifmap, const VectorUnitJob& job, int32_t bits) {
  std::vector<int64_t> base;
  const int64_t b = ifmap.banks();
  int64_t next = 0;
  for (const IntTensor* x : job.x) {
    base.push_back(next);
    next += (ifmap.row_words(x->size(), bits) + b - 1) / b * b + b / 2;
  }
  return base;
}

VectorUnit::VectorUnit(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

void VectorUnit::launch(const VectorUnitJob& job, int32_t lanes, const sc_core::sc_time& period,
                        LayerCounters* counters, Sram* ifmap, Sram* ofmap, int32_t operand_bits) {
  job_ = job;
  lanes_ = lanes;
  period_ = period;
  counters_ = counters;
  ifmap_ = ifmap;
  ofmap_ = ofmap;
  bits_ = operand_bits;
  start_.notify(sc_core::SC_ZERO_TIME);
}

int64_t VectorUnit::word_of(size_t input, int64_t nchw) const {
  const ActTensor& t = *job_.in[input];
  return base_[input] + channel_last(nchw, channels(t), pixels(t)) * bits_ / ifmap_->word_bits();
}

int32_t VectorUnit::output(int64_t i) {
  const Layer& l = *job_.layer;
  const ActTensor& out = *job_.out;
  switch (l.kind) {
    case LayerKind::Lut:
      words_.push_back(word_of(0, i));
      return lut_lookup(l.table, l.lut_shift, job_.x[0]->data[i], l.clamp_lo, l.clamp_hi);
    case LayerKind::Mul: {
      const IntTensor& a = *job_.x[0];
      const IntTensor& b = *job_.x[1];
      const int64_t j = a.shape == b.shape ? i : golden::broadcast_index(i, a.shape, b.shape);
      words_.push_back(word_of(0, i));
      words_.push_back(word_of(1, j));
      return mul_output(a.data[i], job_.in[0]->quant.zero_point, b.data[j], job_.in[1]->quant.zero_point,
                        l.requant[0], out.quant.zero_point, l.clamp_lo, l.clamp_hi);
    }
    default: {  // Concat: find the input that holds output element i
      const int64_t total = job_.output->size();
      int64_t outer = job_.output->shape[0];
      for (int32_t d = 0; d < l.concat_axis; ++d) outer *= out.shape[d];
      const int64_t chunk_out = total / outer, o = i / chunk_out;
      int64_t r = i % chunk_out;
      for (size_t k = 0; k < job_.x.size(); ++k) {
        const int64_t chunk = job_.x[k]->size() / outer;
        if (r < chunk) {
          const int64_t e = o * chunk + r;
          words_.push_back(word_of(k, e));
          return concat_output(job_.x[k]->data[e], job_.in[k]->quant.zero_point, l.requant[k],
                               out.quant.zero_point, act_qmax(out.quant.bits));
        }
        r -= chunk;
      }
      return 0;  // unreachable for a valid layer
    }
  }
}

void VectorUnit::run() {
  for (;;) {
    wait(start_);
    const Layer& l = *job_.layer;
    const ActTensor& out = *job_.out;
    const int64_t n = job_.output->size(), C = channels(out), P = pixels(out);
    base_ = vector_input_words(*ifmap_, job_, bits_);
    for (size_t k = 0; k < job_.x.size(); ++k) ifmap_->count_rows(SramAccess::Read, 1, job_.x[k]->size(), bits_, base_[k]);
    ofmap_->count_rows(SramAccess::Write, 1, n, bits_);
    const int64_t lookups = l.kind == LayerKind::Lut ? (l.lut_shift > 0 ? 2 : 1) : 0;
    const int64_t mults = l.kind == LayerKind::Mul ? 2 : (l.kind == LayerKind::Concat ? 1 : (l.lut_shift > 0 ? 1 : 0));
    counters_->vector_lookups += lookups * n;
    counters_->vector_multiplies += mults * n;
    const int64_t word = ofmap_->word_bits();
    for (int64_t g = 0; g < n; g += lanes_) {
      const int64_t end = std::min<int64_t>(n, g + lanes_);
      words_.clear();
      for (int64_t j = g; j < end; ++j) {
        const int64_t i = nchw_of(j, C, P);
        job_.output->data[i] = output(i);
      }
      const int64_t in_cycles = ifmap_->gather_cycles(words_);
      ifmap_->add_steps(1, in_cycles);
      const int64_t out_cycles = ofmap_->step_cycles((end * bits_ - 1) / word - g * bits_ / word + 1);
      ofmap_->add_steps(1, out_cycles);
      const int64_t cycles = std::max<int64_t>({1, in_cycles, out_cycles});
      if (g == 0) first_group_cycles_ = cycles;
      wait(period_ * static_cast<double>(cycles));
      counters_->compute_cycles += 1;
      counters_->sram_stall_cycles += cycles - 1;
    }
    wait(period_ * static_cast<double>(kLatencyCycles));
    done.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qarray
