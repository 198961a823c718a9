#include "sim/dma.h"

namespace qarray {

Dma::Dma(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }

void Dma::configure(const DramConfig& config, const sc_core::sc_time& clock_period) {
  dram_.configure(config);
  period_ = clock_period;
}

int64_t Dma::request(int64_t bytes, bool write, const sc_core::sc_time& earliest) {
  queue_.push_back({bytes, write, earliest});
  queued_.notify(sc_core::SC_ZERO_TIME);
  return issued_++;
}

void Dma::wait_for(int64_t ticket) {
  while (!finished(ticket)) wait(transfer_done_);
}

void Dma::run() {
  for (;;) {
    while (queue_.empty()) wait(queued_);
    const Request r = queue_.front();
    if (r.earliest > sc_core::sc_time_stamp()) wait(r.earliest - sc_core::sc_time_stamp());
    const int64_t cycles = dram_.transfer_cycles(r.bytes);
    if (cycles > 0) wait(period_ * static_cast<double>(cycles));
    (r.write ? write_bytes_ : read_bytes_) += r.bytes;
    queue_.pop_front();
    ++completed_;
    transfer_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace qarray
