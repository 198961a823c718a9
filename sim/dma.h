// The DMA engine between DRAM and the SRAM buffers: one channel, requests served in order. A
// request may not start before its `earliest` time (a write-back waits for the post-processing
// pipeline); it then occupies the channel for Dram::transfer_cycles(bytes).
#pragma once
#include <cstdint>
#include <deque>
#include <systemc>

#include "sim/dram.h"

namespace qarray {

class Dma : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Dma);
  explicit Dma(sc_core::sc_module_name name);

  void configure(const DramConfig& config, const sc_core::sc_time& clock_period);
  // A tile of `bytes` as moved: rounded up to whole bursts.
  int64_t burst_bytes(int64_t bytes) const { return dram_.burst_bytes(bytes); }
  // Queues a transfer of `bytes` (already whole bursts); returns its ticket.
  int64_t request(int64_t bytes, bool write, const sc_core::sc_time& earliest);
  bool finished(int64_t ticket) const { return ticket < completed_; }
  // Waits (in the calling SC_THREAD) until the ticket's transfer has finished.
  void wait_for(int64_t ticket);

  int64_t read_bytes() const { return read_bytes_; }
  int64_t write_bytes() const { return write_bytes_; }
  void reset_counters() { read_bytes_ = write_bytes_ = 0; }

 private:
  struct Request {
    int64_t bytes;
    bool write;
    sc_core::sc_time earliest;
  };
  void run();

  Dram dram_;
  sc_core::sc_time period_;
  std::deque<Request> queue_;
  int64_t issued_ = 0, completed_ = 0;
  sc_core::sc_event queued_, transfer_done_;
  int64_t read_bytes_ = 0, write_bytes_ = 0;
};

}  // namespace qarray
