#include "sim/dma.h"

#include <algorithm>

namespace qarray {
namespace {

int64_t total_bytes(const std::vector<DmaSegment>& segments) {
  int64_t bytes = 0;
  for (const DmaSegment& s : segments) bytes += s.bytes;
  return bytes;
}

}  // namespace

Dma::Dma(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

void Dma::configure(const DramConfig& config, const sc_core::sc_time& clock_period) {
  dram_.configure(config);
  period_ = clock_period;
}

int64_t Dma::transfer_cycles(const std::vector<DmaSegment>& segments) const {
  double data = 0.0;
  for (const DmaSegment& s : segments)
    data += std::max(dram_.data_cycles(s.bytes), static_cast<double>(s.sram_cycles));
  return dram_.transfer_cycles(total_bytes(segments), data);
}

int64_t Dma::request(std::vector<DmaSegment> segments, bool write, const sc_core::sc_time& earliest) {
  queue_.push_back({std::move(segments), write, earliest});
  queued_.notify(sc_core::SC_ZERO_TIME);
  return issued_++;
}

void Dma::wait_for(int64_t ticket) {
  while (!finished(ticket)) wait(transfer_done_);
}

void Dma::run() {
  for (;;) {
    while (queue_.empty()) wait(queued_);
    const Request& r = queue_.front();
    if (r.earliest > sc_core::sc_time_stamp()) wait(r.earliest - sc_core::sc_time_stamp());
    const int64_t bytes = total_bytes(r.segments);
    const int64_t cycles = transfer_cycles(r.segments), dram_cycles = dram_.transfer_cycles(bytes);
    if (cycles > 0) wait(period_ * static_cast<double>(cycles));
    (r.write ? write_bytes_ : read_bytes_) += bytes;
    busy_cycles_ += dram_cycles;
    stall_cycles_ += cycles - dram_cycles;
    queue_.pop_front();
    ++completed_;
    transfer_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qarray
