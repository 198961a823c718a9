// The systolic MAC array: ROWS x COLS processing elements (pe.v) with the edge skew buffers on
// the left (and, for os, top) edges and the de-skew buffer at the bottom edge (edge_skew.v).
// Twin of sim/systolic_array.cpp and sim/dataflow/; parameters come from an ArchConfig
// (sim/cosim/, generated).
//
// Contract (DATAFLOW 0 = ws, 1 = os, 2 = is; R = ROWS, C = COLS; cycles of one fold):
//   ws/is preload: R cycles with load = 1; in cycle j north_data carries the stationary row
//         R - 1 - j (ws: weights W[k][oc], is: inputs X[k][p]); it shifts down the columns.
//   ws/is stream: the unskewed vector i (row r = operand k0 + r) is on west_data with in_valid in
//         stream cycle i; row r enters r cycles later (left skew), PE (r, c) adds its product
//         in cycle i + r + c, and the de-skewed row of the C column sums is on out_sums with
//         out_valid after the clock edge that ends cycle i + R + C - 2.
//   os compute: reduction step k is on west_data (row r: X[k][p0 + r]) and north_data (column
//         c: W[k][oc0 + c]) with in_valid in cycle k; row r / column c enter r / c cycles late,
//         PE (r, c) accumulates in place; row_mask marks the rows that hold an output vector.
//         After k_len + R + C - 2 cycles, R cycles with drain = 1 shift the sums down: after
//         drain cycle d, out_sums holds array row R - 1 - d, out_valid if that row is used.
//   Sums wrap in ACC_BITS; column c of out_sums is bits [c*ACC_BITS +: ACC_BITS]. Every
//   register returns to zero by the end of a fold (its inputs are zero in the fill/drain
//   cycles), so folds run back to back without a clear; rst (synchronous) clears all.
module systolic_array #(
  parameter ROWS = 4,
  parameter COLS = 4,
  parameter W_BITS = 8,
  parameter A_BITS = 8,
  parameter ACC_BITS = 32,
  parameter DATAFLOW = 0,
  // derived (do not override): operand widths on the left and top edges
  parameter WEST_BITS = (DATAFLOW == 2) ? W_BITS : A_BITS,
  parameter NORTH_BITS = (DATAFLOW == 2) ? A_BITS : W_BITS
) (
  input  wire                       clk,
  input  wire                       rst,
  input  wire                       load,
  input  wire                       drain,
  input  wire                       in_valid,
  input  wire [ROWS-1:0]            row_mask,
  input  wire [ROWS*WEST_BITS-1:0]  west_data,
  input  wire [COLS*NORTH_BITS-1:0] north_data,
  output wire                       out_valid,
  output wire [COLS*ACC_BITS-1:0]   out_sums
);
  wire [ROWS*WEST_BITS-1:0] west_skewed;
  wire [COLS*NORTH_BITS-1:0] north_edge;
  wire [COLS*ACC_BITS-1:0] bottom;

  edge_skew #(.LANES(ROWS), .BITS(WEST_BITS)) left_skew (
      .clk(clk), .rst(rst), .in(west_data), .out(west_skewed));

  generate
    if (DATAFLOW == 1) begin : top_skew
      edge_skew #(.LANES(COLS), .BITS(NORTH_BITS)) skew (
          .clk(clk), .rst(rst), .in(north_data), .out(north_edge));
    end else begin : top_load
      // ws/is: the preload shifts whole rows down the columns, no skew
      assign north_edge = north_data;
    end
  endgenerate

  // The PE grid. Each PE's links are its own narrow wires (not slices of one wide bus), which
  // keeps the verilated model from copying array-wide vectors every cycle.
  genvar r, c;
  generate
    for (r = 0; r < ROWS; r = r + 1) begin : row
      for (c = 0; c < COLS; c = c + 1) begin : col
        wire [WEST_BITS-1:0] west_i;
        wire [NORTH_BITS-1:0] north_i;
        wire [ACC_BITS-1:0] psum_i, psum_o;
        // the last column's west_o and the bottom row's north_o leave the array unused
        /* verilator lint_off UNUSEDSIGNAL */
        wire [WEST_BITS-1:0] west_o;
        wire [NORTH_BITS-1:0] north_o;
        /* verilator lint_on UNUSEDSIGNAL */
        if (c == 0) begin : left
          assign west_i = west_skewed[r*WEST_BITS +: WEST_BITS];
        end else begin : inner_h
          assign west_i = row[r].col[c-1].west_o;
        end
        if (r == 0) begin : top
          assign north_i = north_edge[c*NORTH_BITS +: NORTH_BITS];
          assign psum_i = {ACC_BITS{1'b0}};
        end else begin : inner_v
          assign north_i = row[r-1].col[c].north_o;
          assign psum_i = row[r-1].col[c].psum_o;
        end
        pe #(.W_BITS(W_BITS), .A_BITS(A_BITS), .ACC_BITS(ACC_BITS), .DATAFLOW(DATAFLOW),
             .ROW(r), .COL(c)) u_pe (
            .clk(clk), .rst(rst), .load(load), .drain(drain),
            .west_in(west_i), .north_in(north_i), .psum_in(psum_i),
            .west_out(west_o), .north_out(north_o), .psum_out(psum_o));
      end
    end
    for (c = 0; c < COLS; c = c + 1) begin : bottom_edge
      assign bottom[c*ACC_BITS +: ACC_BITS] = row[ROWS-1].col[c].psum_o;
    end
  endgenerate

  generate
    if (DATAFLOW == 1) begin : os_out
      // Drain: the bottom row's sums are registered out; row_used travels down with the sums.
      wire _unused_os = load;
      reg [COLS*ACC_BITS-1:0] out_q;
      reg valid_q;
      reg [ROWS-1:0] row_used;
      always @(posedge clk) begin
        if (rst) begin
          out_q <= {COLS*ACC_BITS{1'b0}};
          valid_q <= 1'b0;
        end else begin
          if (drain) out_q <= bottom;
          valid_q <= drain & row_used[ROWS-1];
        end
      end
      for (r = 0; r < ROWS; r = r + 1) begin : used
        always @(posedge clk) begin
          if (rst) row_used[r] <= 1'b0;
          else if (drain) row_used[r] <= (r == 0) ? 1'b0 : row_used[(r == 0) ? 0 : r - 1];
          else row_used[r] <= row_used[r] | (in_valid & row_mask[r]);
        end
      end
      assign out_sums = out_q;
      assign out_valid = valid_q;
    end else begin : stationary_out
      // De-skew: column c waits C - 1 - c cycles; valid follows vector i by R + C - 1 edges.
      wire _unused_stationary = &{1'b0, drain, row_mask};
      edge_skew #(.LANES(COLS), .BITS(ACC_BITS), .REVERSE(1)) deskew (
          .clk(clk), .rst(rst), .in(bottom), .out(out_sums));
      edge_skew #(.LANES(1), .BITS(1), .BASE(ROWS + COLS - 1)) valid_delay (
          .clk(clk), .rst(rst), .in(in_valid), .out(out_valid));
    end
  endgenerate
endmodule
