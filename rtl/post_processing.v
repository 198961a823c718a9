// The post-processing unit's datapath: LANES lanes behind the accumulator that turn one finished
// accumulator row per cycle into output codes: bias add, requantization (M0, shift), zero point,
// clamp. Twin of sim/post_processing.{h,cpp} (its array-layer path, PostProcessing::apply).
//
// Contract (per lane i; bit for bit workloads/numeric.h):
//   y = requantize(wrap_to_bits(acc + bias', ACC_BITS), {M0, shift}, z_y, lo, hi)
//   stage 1: ACC_BITS-bit wrapping bias add, sign extension to 32 bits, wrapping 32-bit left
//            shift by max(shift, 0)
//   stage 2: SRDHM(x, M0): high word of 2*x*M0 with the gemmlowp nudge, truncated toward zero;
//            x == M0 == INT32_MIN saturates to INT32_MAX
//   stage 3: RDivPOT by max(-shift, 0) (ties away from zero), z_y + . in 33 bits, clamp to
//            [lo, hi], the low OUT_BITS bits as the output code (lo >= 0, hi < 2^OUT_BITS)
// Every input, zero_point/clamp_lo/clamp_hi included, is sampled at the same rising edge as
// in_valid; out_valid/out_q are registered and hold that row's result exactly 3 rising edges
// later (sim/post_processing.h kLatencyCycles = 3). rst (synchronous) clears only the valid
// pipeline. shift must lie in [-31, 30]; M0 is 0 or in [2^30, 2^31) (any 32-bit M0 is exact).
// Fault injection (co-simulation self-test only): with `define QARRAY_FAULT_PP, lane
// `QARRAY_FAULT_LANE flips bit `QARRAY_FAULT_BIT of its output code.
module post_processing #(
  parameter LANES = 16,
  parameter ACC_BITS = 32,  // 2..32
  parameter OUT_BITS = 8    // 1..32
) (
  input  wire                      clk,
  input  wire                      rst,
  input  wire                      in_valid,
  input  wire [LANES*ACC_BITS-1:0] in_acc,
  // Why the waiver: bias' bits at and above ACC_BITS cannot change an ACC_BITS-bit wrapping sum,
  // so with ACC_BITS < 32 they are (correctly) unused.
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [LANES*32-1:0]       in_bias,
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire [LANES*32-1:0]       in_m0,
  input  wire [LANES*6-1:0]        in_shift,
  input  wire [31:0]               zero_point,
  input  wire [31:0]               clamp_lo,
  input  wire [31:0]               clamp_hi,
  output reg                       out_valid,
  output wire [LANES*OUT_BITS-1:0] out_q
);
  // Valid pipeline and the layer constants travel with the rows (shared by all lanes).
  reg valid1, valid2;
  reg signed [31:0] zp1, lo1, hi1, zp2, lo2, hi2;
  always @(posedge clk) begin
    if (rst) begin
      valid1 <= 1'b0;
      valid2 <= 1'b0;
      out_valid <= 1'b0;
    end else begin
      valid1 <= in_valid;
      valid2 <= valid1;
      out_valid <= valid2;
    end
    zp1 <= zero_point;
    lo1 <= clamp_lo;
    hi1 <= clamp_hi;
    zp2 <= zp1;
    lo2 <= lo1;
    hi2 <= hi1;
  end

  genvar i;
  generate
    for (i = 0; i < LANES; i = i + 1) begin : lane
      // ---- stage 1: bias add in ACC_BITS, sign extension, wrapping left shift ----
      wire [ACC_BITS-1:0] biased = in_acc[i*ACC_BITS +: ACC_BITS] + in_bias[i*32 +: ACC_BITS];
      wire [31:0] biased32;
      if (ACC_BITS < 32) begin : sext
        assign biased32 = {{(32 - ACC_BITS){biased[ACC_BITS-1]}}, biased};
      end else begin : full
        assign biased32 = biased;
      end
      wire [5:0] shift = in_shift[i*6 +: 6];
      wire [4:0] left = shift[5] ? 5'd0 : shift[4:0];
      wire [4:0] right = shift[5] ? 5'd0 - shift[4:0] : 5'd0;  // -shift mod 32 (-32: outside)
      reg signed [31:0] x1, m01;
      reg [4:0] right1;
      always @(posedge clk) begin
        x1 <= biased32 << left;
        m01 <= in_m0[i*32 +: 32];
        right1 <= right;
      end

      // ---- stage 2: SRDHM(x1, m01) ----
      wire signed [63:0] ab = x1 * m01;  // exact: |ab| <= 2^62
      wire signed [63:0] nudge = ab[63] ? 64'sh0000_0000_0000_0001 - 64'sh0000_0000_4000_0000
                                        : 64'sh0000_0000_4000_0000;
      wire signed [63:0] sum = ab + nudge;
      // C++ '/' truncates toward zero: bias a negative dividend by 2^31 - 1 before the shift.
      // Why the waiver: the quotient is the high word sum[62:31]; sum[63] is its sign copy and
      // sum[30:0] are the discarded fraction bits.
      /* verilator lint_off UNUSEDSIGNAL */
      wire signed [63:0] toward0 = sum + (sum[63] ? 64'sh0000_0000_7FFF_FFFF : 64'sh0);
      /* verilator lint_on UNUSEDSIGNAL */
      wire saturate = x1 == 32'sh8000_0000 && m01 == 32'sh8000_0000;
      reg signed [31:0] h2;
      reg [4:0] right2;
      always @(posedge clk) begin
        h2 <= saturate ? 32'sh7FFF_FFFF : toward0[62:31];
        right2 <= right1;
      end

      // ---- stage 3: RDivPOT(h2, right2), + z_y, clamp ----
      wire [31:0] mask = (32'd1 << right2) - 32'd1;
      wire [31:0] remainder = h2 & mask;
      wire [31:0] threshold = (mask >> 1) + {31'd0, h2[31]};
      // Separate wires keep each operation signed (an unsigned operand would make >>> and <
      // unsigned in a mixed expression).
      wire signed [31:0] floor_q = h2 >>> right2;
      wire signed [31:0] quotient = floor_q + $signed({31'd0, remainder > threshold});
      wire signed [32:0] y = $signed({zp2[31], zp2}) + $signed({quotient[31], quotient});  // no overflow
      wire below = y < $signed({lo2[31], lo2});
      wire above = y > $signed({hi2[31], hi2});
`ifdef QARRAY_FAULT_PP
      localparam [OUT_BITS-1:0] FAULT_MASK = (i == `QARRAY_FAULT_LANE)
          ? ({{(OUT_BITS-1){1'b0}}, 1'b1} << `QARRAY_FAULT_BIT) : {OUT_BITS{1'b0}};
`else
      localparam [OUT_BITS-1:0] FAULT_MASK = {OUT_BITS{1'b0}};
`endif
      reg [OUT_BITS-1:0] q3;
      always @(posedge clk)
        q3 <= (below ? lo2[OUT_BITS-1:0] : above ? hi2[OUT_BITS-1:0] : y[OUT_BITS-1:0]) ^ FAULT_MASK;
      assign out_q[i*OUT_BITS +: OUT_BITS] = q3;
    end
  endgenerate
endmodule
