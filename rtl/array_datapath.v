// The accelerator's datapath behind one controller: the systolic array (systolic_array.v), the
// accumulator that adds its rows across k folds (accumulator.v) and the post-processing unit
// that turns finished accumulator rows into output codes (post_processing.v), wired as the
// SystemC model chains SystolicArray -> Accumulator -> PostProcessing. The co-simulation top.
//
// Contract (R = ROWS, C = COLS; cycles counted as in systolic_array.v):
//   The array's ports are systolic_array.v's. A row the array delivers (out_valid, out_sums)
//   after the edge ending cycle n enters the accumulator at the edge ending cycle n + 1 with
//   acc_first / acc_last / acc_addr, which the controller drives during cycle n + 1 (the
//   schedule is data independent); acc_valid / acc_row hold it after that edge. A row with
//   acc_last enters post-processing at the edge ending cycle n + 2 with the pp_* parameters the
//   controller drives during cycle n + 2; pp_valid / pp_q hold its codes after the edge ending
//   cycle n + 4 (post_processing.v's 3 stages). Lane c of acc_row and pp_q is array column c.
//   rst (synchronous) clears the array, the accumulator's and post-processing's valid and the
//   acc_last pipeline register; the accumulator memory has no reset (first folds overwrite).
module array_datapath #(
  parameter ROWS = 4,
  parameter COLS = 4,
  parameter W_BITS = 8,
  parameter A_BITS = 8,
  parameter ACC_BITS = 32,
  parameter DATAFLOW = 0,
  parameter OUT_BITS = 8,   // output code width: the arch's act_bits
  parameter DEPTH = 256,    // accumulator rows: the ofmap buffer's words per tile
  parameter ADDR_BITS = 8,  // >= log2(DEPTH)
  // derived (do not override): operand widths on the left and top edges
  parameter WEST_BITS = (DATAFLOW == 2) ? W_BITS : A_BITS,
  parameter NORTH_BITS = (DATAFLOW == 2) ? A_BITS : W_BITS
) (
  input  wire                       clk,
  input  wire                       rst,
  // array (systolic_array.v)
  input  wire                       load,
  input  wire                       drain,
  input  wire                       in_valid,
  input  wire [ROWS-1:0]            row_mask,
  input  wire [ROWS*WEST_BITS-1:0]  west_data,
  input  wire [COLS*NORTH_BITS-1:0] north_data,
  output wire                       out_valid,
  output wire [COLS*ACC_BITS-1:0]   out_sums,
  // accumulator: the tag of the array row entering it this cycle
  input  wire                       acc_first,
  input  wire                       acc_last,
  input  wire [ADDR_BITS-1:0]       acc_addr,
  output wire                       acc_valid,
  output wire [COLS*ACC_BITS-1:0]   acc_row,
  // post-processing: the parameters of the accumulator row entering it this cycle
  input  wire [COLS*32-1:0]         pp_bias,
  input  wire [COLS*32-1:0]         pp_m0,
  input  wire [COLS*6-1:0]          pp_shift,
  input  wire [31:0]                pp_zero_point,
  input  wire [31:0]                pp_clamp_lo,
  input  wire [31:0]                pp_clamp_hi,
  output wire                       pp_valid,
  output wire [COLS*OUT_BITS-1:0]   pp_q
);
  systolic_array #(.ROWS(ROWS), .COLS(COLS), .W_BITS(W_BITS), .A_BITS(A_BITS), .ACC_BITS(ACC_BITS),
                   .DATAFLOW(DATAFLOW)) u_array (
      .clk(clk), .rst(rst), .load(load), .drain(drain), .in_valid(in_valid), .row_mask(row_mask),
      .west_data(west_data), .north_data(north_data), .out_valid(out_valid), .out_sums(out_sums));

  accumulator #(.COLS(COLS), .ACC_BITS(ACC_BITS), .DEPTH(DEPTH), .ADDR_BITS(ADDR_BITS)) u_accumulator (
      .clk(clk), .rst(rst), .in_valid(out_valid), .in_first(acc_first), .in_addr(acc_addr),
      .in_sums(out_sums), .out_valid(acc_valid), .out_acc(acc_row));

  // "last k fold" travels with the row through the accumulator: only final rows are
  // post-processed.
  reg last_q;
  always @(posedge clk) last_q <= ~rst & out_valid & acc_last;

  post_processing #(.LANES(COLS), .ACC_BITS(ACC_BITS), .OUT_BITS(OUT_BITS)) u_post_processing (
      .clk(clk), .rst(rst), .in_valid(acc_valid & last_q), .in_acc(acc_row), .in_bias(pp_bias),
      .in_m0(pp_m0), .in_shift(pp_shift), .zero_point(pp_zero_point), .clamp_lo(pp_clamp_lo),
      .clamp_hi(pp_clamp_hi), .out_valid(pp_valid), .out_q(pp_q));
endmodule
