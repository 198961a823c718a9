// The DMA engine between DRAM and the SRAM buffers: one channel, requests served in order. A
// request may not start before its `earliest` time (a write-back waits for the post-processing
// pipeline); it then occupies the channel for its transfer time.
//
// Contract: a transfer is one or more segments, each the bytes of one tile to or from one
// buffer; the DMA reaches a buffer through that buffer's own DMA ports (one word per bank per
// cycle, Sram::dma_cycles), never through the array's. Segment i's data takes
// max(bytes_i / bytes_per_cycle, sram_cycles_i) cycles, one segment after the other, so
//   transfer = latency_cycles + ceil(sum_i max(bytes_i / bytes_per_cycle, sram_cycles_i)),
// which is Dram::transfer_cycles(bytes) whenever the buffers keep up with DRAM.
// Unit cycles: busy = the DRAM time of every transfer (Dram::transfer_cycles of its bytes),
// stall = the extra cycles the buffers' DMA ports added, idle = the rest of the layer.
#pragma once
#include <cstdint>
#include <deque>
#include <systemc>
#include <vector>

#include "sim/dram.h"

namespace qarray {

struct DmaSegment {
  int64_t bytes = 0;        // DRAM side, whole bursts
  int64_t sram_cycles = 0;  // the buffer side: cycles of its DMA ports (Sram::dma_cycles)
};

class Dma : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Dma);
  explicit Dma(sc_core::sc_module_name name);

  void configure(const DramConfig& config, const sc_core::sc_time& clock_period);
  // A tile of `bytes` as moved: rounded up to whole bursts.
  int64_t burst_bytes(int64_t bytes) const { return dram_.burst_bytes(bytes); }
  // Cycles the channel is occupied by a transfer of these segments (the contract's formula).
  int64_t transfer_cycles(const std::vector<DmaSegment>& segments) const;
  // Queues a transfer; returns its ticket.
  int64_t request(std::vector<DmaSegment> segments, bool write, const sc_core::sc_time& earliest);
  bool finished(int64_t ticket) const { return ticket < completed_; }
  // Waits (in the calling SC_THREAD) until the ticket's transfer has finished.
  void wait_for(int64_t ticket);

  int64_t read_bytes() const { return read_bytes_; }
  int64_t write_bytes() const { return write_bytes_; }
  int64_t busy_cycles() const { return busy_cycles_; }
  int64_t stall_cycles() const { return stall_cycles_; }
  void reset_counters() { read_bytes_ = write_bytes_ = busy_cycles_ = stall_cycles_ = 0; }

 private:
  struct Request {
    std::vector<DmaSegment> segments;
    bool write;
    sc_core::sc_time earliest;
  };
  void run();

  Dram dram_;
  sc_core::sc_time period_;
  std::deque<Request> queue_;
  int64_t issued_ = 0, completed_ = 0;
  sc_core::sc_event queued_, transfer_done_;
  int64_t read_bytes_ = 0, write_bytes_ = 0, busy_cycles_ = 0, stall_cycles_ = 0;
};

}  // namespace qarray
