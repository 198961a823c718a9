#include "sim/post_processing.h"

#include <algorithm>

namespace qarray {
namespace {

// Elements per channel of a layer tensor [C, ...] (1 for a vector).
int64_t pixels(const ActTensor& t) {
  int64_t n = 1;
  for (size_t i = 1; i < t.shape.size(); ++i) n *= t.shape[i];
  return n;
}

// Flat NCHW index of channel-last element j of a batched [N, C, pixels] tensor.
int64_t nchw_index(int64_t j, int64_t channels, int64_t pixels) {
  const int64_t n = j / (channels * pixels), px = j / channels % pixels, c = j % channels;
  return (n * channels + c) * pixels + px;
}

}  // namespace

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
                            LayerCounters* counters, const VectorBuffers& buffers) {
  vjob_ = job;
  lanes_ = lanes;
  period_ = period;
  counters_ = counters;
  buffers_ = buffers;
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
int32_t PostProcessing::pool_output(int64_t i) const {
  const Layer& l = *vjob_.layer;
  const Window& w = l.window;
  const int64_t H = vjob_.in_a->shape[1], W = vjob_.in_a->shape[2];
  const int64_t OH = vjob_.out->shape[1], OW = vjob_.out->shape[2];
  const int64_t plane = i / (OH * OW), oh = i / OW % OH, ow = i % OW;
  const int32_t* x = vjob_.a->ptr() + plane * H * W;
  const int64_t h0 = oh * w.stride_h - w.pad_top, w0 = ow * w.stride_w - w.pad_left;
  const int64_t hs = std::max<int64_t>(h0, 0), he = std::min<int64_t>(h0 + w.kh, H);
  const int64_t ws = std::max<int64_t>(w0, 0), we = std::min<int64_t>(w0 + w.kw, W);
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

int64_t add_second_input_word(const Sram& ifmap, int64_t a_operands, int32_t bits) {
  const int64_t b = ifmap.banks();
  return (ifmap.row_words(a_operands, bits) + b - 1) / b * b + b / 2;
}

int64_t PostProcessing::group_cycles(int64_t g, int64_t end, int64_t taps) {
  Sram& in = *buffers_.ifmap;
  Sram& out = *buffers_.ofmap;
  const int64_t bits = buffers_.operand_bits, word = in.word_bits();
  const Layer& l = *vjob_.layer;
  int64_t cycles = 0;
  for (int64_t t = 0; t < taps; ++t) {
    words_.clear();
    for (int64_t j = g; j < end; ++j) {
      if (l.kind == LayerKind::Add) {  // a and b at the same channel-last position
        words_.push_back(j * bits / word);
        words_.push_back(b_base_ + j * bits / word);
        continue;
      }
      // Pool tap t = (ti, tj) of output j = (n, oh, ow, c) reads pixel (oh*sh - pad + ti, ow*sw - pad + tj).
      const int64_t C = vjob_.in_a->shape[0], H = vjob_.in_a->shape[1], W = vjob_.in_a->shape[2];
      const int64_t OH = vjob_.out->shape[1], OW = vjob_.out->shape[2];
      const int64_t c = j % C, px = j / C % (OH * OW), n = j / (C * OH * OW);
      const int64_t ih = px / OW * l.window.stride_h - l.window.pad_top + t / l.window.kw;
      const int64_t iw = px % OW * l.window.stride_w - l.window.pad_left + t % l.window.kw;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // padding: nothing read
      const int64_t address = (((n * H + ih) * W + iw) * C + c) * bits / word;
      words_.push_back(address);
      in.count_word(SramAccess::Read, address);
    }
    int64_t step = 1;
    if (!words_.empty()) {
      const int64_t k = in.gather_cycles(words_);
      in.add_steps(1, k);
      step = std::max(step, k);
    }
    if (t == taps - 1) {  // the group's outputs go to the ofmap buffer, consecutive words
      const int64_t k = out.step_cycles((end * bits - 1) / word - g * bits / word + 1);
      out.add_steps(1, k);
      step = std::max(step, k);
    }
    cycles += step;
  }
  return cycles;
}

void PostProcessing::run() {
  for (;;) {
    wait(start_);
    const Layer& l = *vjob_.layer;
    const bool is_add = l.kind == LayerKind::Add;
    const int64_t taps = is_add ? 1 : int64_t{l.window.kh} * l.window.kw;
    const int64_t n = vjob_.output->size();
    const int64_t C = vjob_.out->shape[0], P = pixels(*vjob_.out);
    const int32_t bits = buffers_.operand_bits;
    Sram& in = *buffers_.ifmap;
    if (is_add) {  // every element of both inputs is read once
      b_base_ = add_second_input_word(in, vjob_.a->size(), bits);
      in.count_rows(SramAccess::Read, 1, vjob_.a->size(), bits);
      in.count_rows(SramAccess::Read, 1, vjob_.b->size(), bits, b_base_);
    }
    buffers_.ofmap->count_rows(SramAccess::Write, 1, n, bits);
    // One group of `lanes` outputs at a time (channel-last order); a group holds the lanes for
    // `taps` cycles, more when the buffers' ports cannot serve a tap cycle in one.
    for (int64_t g = 0; g < n; g += lanes_) {
      const int64_t end = std::min<int64_t>(n, g + lanes_);
      for (int64_t j = g; j < end; ++j) {
        const int64_t i = nchw_index(j, C, P);
        vjob_.output->data[i] = is_add ? add_output(i) : pool_output(i);
      }
      const int64_t cycles = group_cycles(g, end, taps);
      if (g == 0) first_group_cycles_ = cycles;
      wait(period_ * static_cast<double>(cycles));
      counters_->compute_cycles += taps;
      counters_->sram_stall_cycles += cycles - taps;
    }
    wait(period_ * static_cast<double>(kLatencyCycles));
    done.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qarray
