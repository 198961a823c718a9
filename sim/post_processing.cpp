#include "sim/post_processing.h"

#include <algorithm>

namespace qarray {

PostProcessing::PostProcessing(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

void PostProcessing::configure(const Layer& layer, int32_t out_zero_point, int32_t acc_bits) {
  layer_ = &layer;
  zero_point_ = out_zero_point;
  acc_bits_ = acc_bits;
}

int32_t PostProcessing::apply(uint32_t acc, int64_t channel) {
  const Layer& l = *layer_;
  const uint32_t biased = acc + static_cast<uint32_t>(l.bias[channel]);  // 32-bit wrapping adder
  const int32_t reg = wrap_to_bits(static_cast<int32_t>(biased), acc_bits_);
  const QuantizedMultiplier& m = l.requant.size() == 1 ? l.requant[0] : l.requant[channel];
  return requantize(reg, m, zero_point_, l.clamp_lo, l.clamp_hi);
}

void PostProcessing::launch(const VectorJob& job, int32_t lanes, const sc_core::sc_time& period,
                            LayerCounters* counters) {
  vjob_ = job;
  lanes_ = lanes;
  period_ = period;
  counters_ = counters;
  start_.notify(sc_core::SC_ZERO_TIME);
}

// Add: each input, offset by its zero point and shifted left, is rescaled to a common scale;
// the sum is requantized to the output grid.
int32_t PostProcessing::add_output(int64_t i) const {
  const Layer& l = *vjob_.layer;
  const int32_t za = vjob_.in_a->quant.zero_point, zb = vjob_.in_b->quant.zero_point;
  const int32_t sa =
      multiply_by_quantized_multiplier((vjob_.a->data[i] - za) * (1 << l.add_left_shift), l.add_input_mult[0]);
  const int32_t sb =
      multiply_by_quantized_multiplier((vjob_.b->data[i] - zb) * (1 << l.add_left_shift), l.add_input_mult[1]);
  return requantize(sa + sb, l.requant[0], vjob_.out->quant.zero_point, l.clamp_lo, l.clamp_hi);
}

// Pools over the in-bounds taps of output i's window: max, or the rounded mean (padded taps
// counted as z_x when count_include_pad); then the clamp.
int32_t PostProcessing::pool_output(int64_t i, int64_t& taps_read) const {
  const Layer& l = *vjob_.layer;
  const Window& w = l.window;
  const int64_t H = vjob_.in_a->shape[1], W = vjob_.in_a->shape[2];
  const int64_t OH = vjob_.out->shape[1], OW = vjob_.out->shape[2];
  const int64_t plane = i / (OH * OW), oh = i / OW % OH, ow = i % OW;
  const int32_t* x = vjob_.a->ptr() + plane * H * W;
  const int64_t h0 = oh * w.stride_h - w.pad_top, w0 = ow * w.stride_w - w.pad_left;
  const int64_t hs = std::max<int64_t>(h0, 0), he = std::min<int64_t>(h0 + w.kh, H);
  const int64_t ws = std::max<int64_t>(w0, 0), we = std::min<int64_t>(w0 + w.kw, W);
  taps_read += (he - hs) * (we - ws);
  int32_t v;
  if (l.kind == LayerKind::MaxPool) {
    v = x[hs * W + ws];
    for (int64_t h = hs; h < he; ++h)
      for (int64_t c = ws; c < we; ++c) v = std::max(v, x[h * W + c]);
  } else {
    int64_t sum = 0;
    for (int64_t h = hs; h < he; ++h)
      for (int64_t c = ws; c < we; ++c) sum += x[h * W + c];
    int64_t count = (he - hs) * (we - ws);
    if (l.count_include_pad) {
      const int64_t taps = int64_t{w.kh} * w.kw;
      sum += (taps - count) * vjob_.in_a->quant.zero_point;
      count = taps;
    }
    v = static_cast<int32_t>((sum + count / 2) / count);
  }
  return std::clamp(v, l.clamp_lo, l.clamp_hi);
}

void PostProcessing::run() {
  for (;;) {
    wait(start_);
    const Layer& l = *vjob_.layer;
    const bool is_add = l.kind == LayerKind::Add;
    const int64_t taps = is_add ? 1 : int64_t{l.window.kh} * l.window.kw;
    const int64_t n = vjob_.output->size();
    int64_t reads = 0;
    // One group of `lanes` outputs at a time; a group holds the lanes for `taps` cycles.
    for (int64_t g = 0; g < n; g += lanes_) {
      const int64_t end = std::min<int64_t>(n, g + lanes_);
      for (int64_t i = g; i < end; ++i) {
        if (is_add) {
          vjob_.output->data[i] = add_output(i);
          reads += 2;
        } else {
          vjob_.output->data[i] = pool_output(i, reads);
        }
      }
      wait(period_ * static_cast<double>(taps));
      counters_->compute_cycles += taps;
    }
    counters_->ifmap.reads += reads;
    counters_->ofmap.writes += n;
    wait(period_ * static_cast<double>(kLatencyCycles));
    done.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qarray
