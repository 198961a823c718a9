// The accumulator: the output buffer's read-modify-write across k folds. DEPTH rows of COLS
// ACC_BITS-bit two's-complement words. Twin of sim/accumulator.{h,cpp} (Accumulator::accumulate,
// latency Accumulator::kLatencyCycles = 1).
//
// Contract: on a rising edge with in_valid, row = in_first ? in_sums : mem[in_addr] + in_sums
// (each column wraps in ACC_BITS); mem[in_addr] <= row and out_acc <= row, out_valid <= in_valid
// (latency 1 cycle). The read is combinational, so a row updated at one edge is seen by a
// write to the same address at the next edge (back-to-back folds of one row need no bypass).
// in_addr must be < DEPTH. rst (synchronous) clears out_valid and blocks writes; the memory has
// no reset (the first fold of every tile overwrites: in_first).
// Fault injection (co-simulation self-test only): with `define QARRAY_FAULT_ACC, column
// `QARRAY_FAULT_LANE flips bit `QARRAY_FAULT_BIT of every read-modify-write sum (never of a
// first fold's row).
module accumulator #(
  parameter COLS = 16,
  parameter ACC_BITS = 32,
  parameter DEPTH = 256,
  parameter ADDR_BITS = 8
) (
  input  wire                     clk,
  input  wire                     rst,
  input  wire                     in_valid,
  input  wire                     in_first,
  input  wire [ADDR_BITS-1:0]     in_addr,
  input  wire [COLS*ACC_BITS-1:0] in_sums,
  output reg                      out_valid,
  output reg  [COLS*ACC_BITS-1:0] out_acc
);
  reg [COLS*ACC_BITS-1:0] mem [0:DEPTH-1];
  wire [COLS*ACC_BITS-1:0] stored = mem[in_addr];
  wire [COLS*ACC_BITS-1:0] row;

  genvar c;
  generate
    for (c = 0; c < COLS; c = c + 1) begin : col
`ifdef QARRAY_FAULT_ACC
      localparam [ACC_BITS-1:0] FAULT_MASK = (c == `QARRAY_FAULT_LANE)
          ? ({{(ACC_BITS-1){1'b0}}, 1'b1} << `QARRAY_FAULT_BIT) : {ACC_BITS{1'b0}};
`else
      localparam [ACC_BITS-1:0] FAULT_MASK = {ACC_BITS{1'b0}};
`endif
      assign row[c*ACC_BITS +: ACC_BITS] =
          in_first ? in_sums[c*ACC_BITS +: ACC_BITS]
                   : (stored[c*ACC_BITS +: ACC_BITS] + in_sums[c*ACC_BITS +: ACC_BITS]) ^ FAULT_MASK;
    end
  endgenerate

  always @(posedge clk) begin
    out_valid <= in_valid & ~rst;
    if (in_valid & ~rst) begin
      out_acc <= row;
      mem[in_addr] <= row;
    end
  end
endmodule
