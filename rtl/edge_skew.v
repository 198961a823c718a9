// Edge skew / de-skew buffer of the systolic array: LANES parallel lanes of BITS-bit registers,
// lane i delayed by BASE + i clock cycles (REVERSE = 0: the left and top edges, so row / column
// i enters the array i cycles after lane 0) or by BASE + LANES - 1 - i cycles (REVERSE = 1: the
// bottom edge, so the sums of one vector, which leave column i i cycles late, line up again).
//
// Contract: out lane i at the end of cycle t equals in lane i of cycle t - delay(i); a lane with
// delay 0 is a wire. rst (synchronous) clears every stage.
module edge_skew #(
  parameter LANES = 4,
  parameter BITS = 8,
  parameter BASE = 0,
  parameter REVERSE = 0
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire [LANES*BITS-1:0] in,
  output wire [LANES*BITS-1:0] out
);
  // A one-lane skew with no delay (a 1 x 1 array's left edge) is only wires.
  wire _unused_clock_of_wires = &{1'b0, clk, rst};
  genvar i, j;
  generate
    for (i = 0; i < LANES; i = i + 1) begin : lane
      localparam integer D = BASE + (REVERSE != 0 ? LANES - 1 - i : i);
      // stage 0 is the input, stage j + 1 the j-th register
      wire [(D+1)*BITS-1:0] stage;
      assign stage[0 +: BITS] = in[i*BITS +: BITS];
      for (j = 0; j < D; j = j + 1) begin : dly
        reg [BITS-1:0] q;
        always @(posedge clk) begin
          if (rst) q <= {BITS{1'b0}};
          else q <= stage[j*BITS +: BITS];
        end
        assign stage[(j+1)*BITS +: BITS] = q;
      end
      assign out[i*BITS +: BITS] = stage[D*BITS +: BITS];
    end
  endgenerate
endmodule
