// One processing element of the systolic MAC array: a W_BITS x A_BITS multiplier (signed weight,
// unsigned activation code) and an ACC_BITS wrapping adder, with the operand registers that pass
// data to the right and downward neighbours. Twin of one cell of sim/systolic_array.cpp as the
// dataflow units of sim/dataflow/ step it.
//
// Contract (DATAFLOW 0 = ws, 1 = os, 2 = is, as sim/arch_config.h's Dataflow):
//   ws  stat <= north_in while load (the weight column shifts down during the preload);
//       west <= west_in (activation); psum <= psum_in + stat * west_in.
//   is  the same with the operands exchanged: stat holds an activation, west_in a weight.
//   os  west <= west_in (activation), north <= north_in (weight);
//       psum <= drain ? psum_in (the sums shift down and out) : psum + north_in * west_in.
//   The product uses this cycle's incoming operand (the value being latched), as the SystemC
//   model does. Sums wrap in ACC_BITS (acc_bits >= W_BITS + A_BITS, so one product is exact).
//   rst (synchronous) clears every register.
// Fault injection (co-simulation self-test only): with `define QARRAY_FAULT, the PE at
// (`QARRAY_FAULT_ROW, `QARRAY_FAULT_COL) flips bit `QARRAY_FAULT_BIT of every product.
module pe #(
  parameter W_BITS = 8,
  parameter A_BITS = 8,
  parameter ACC_BITS = 32,
  parameter DATAFLOW = 0,
  // position in the array; only the fault-injection build reads them
  /* verilator lint_off UNUSEDPARAM */
  parameter ROW = 0,
  parameter COL = 0,
  /* verilator lint_on UNUSEDPARAM */
  // derived (do not override): operand widths on the horizontal and vertical paths
  parameter WEST_BITS = (DATAFLOW == 2) ? W_BITS : A_BITS,
  parameter NORTH_BITS = (DATAFLOW == 2) ? A_BITS : W_BITS
) (
  input  wire                  clk,
  input  wire                  rst,
  input  wire                  load,
  input  wire                  drain,
  input  wire [WEST_BITS-1:0]  west_in,
  input  wire [NORTH_BITS-1:0] north_in,
  input  wire [ACC_BITS-1:0]   psum_in,
  output wire [WEST_BITS-1:0]  west_out,
  output wire [NORTH_BITS-1:0] north_out,
  output wire [ACC_BITS-1:0]   psum_out
);
  localparam integer P_BITS = W_BITS + A_BITS + 1;  // signed weight x {0, activation}

  reg [WEST_BITS-1:0] west_q;
  reg [NORTH_BITS-1:0] north_q;  // ws/is: the stationary operand; os: the weight moving down
  reg [ACC_BITS-1:0] psum_q;
  wire [W_BITS-1:0] w_op;
  wire [A_BITS-1:0] a_op;

  generate
    if (DATAFLOW == 0) begin : ws_ops
      assign w_op = north_q;
      assign a_op = west_in;
    end else if (DATAFLOW == 2) begin : is_ops
      assign w_op = west_in;
      assign a_op = north_q;
    end else begin : os_ops
      assign w_op = north_in;
      assign a_op = west_in;
    end
  endgenerate

  wire signed [P_BITS-1:0] prod = $signed(w_op) * $signed({1'b0, a_op});
  wire [ACC_BITS-1:0] prod_ext;
  generate
    if (ACC_BITS >= P_BITS) begin : sext
      assign prod_ext = {{(ACC_BITS - P_BITS){prod[P_BITS-1]}}, prod};
    end else begin : trunc
      // ACC_BITS == W_BITS + A_BITS: the product fits, the extra sign bit is redundant
      wire _unused_prod_msb = prod[P_BITS-1];
      assign prod_ext = prod[ACC_BITS-1:0];
    end
  endgenerate

`ifdef QARRAY_FAULT
  localparam [ACC_BITS-1:0] FAULT_MASK = (ROW == `QARRAY_FAULT_ROW && COL == `QARRAY_FAULT_COL)
      ? ({{(ACC_BITS-1){1'b0}}, 1'b1} << `QARRAY_FAULT_BIT) : {ACC_BITS{1'b0}};
`else
  localparam [ACC_BITS-1:0] FAULT_MASK = {ACC_BITS{1'b0}};
`endif
  wire [ACC_BITS-1:0] product = prod_ext ^ FAULT_MASK;

  generate
    if (DATAFLOW == 1) begin : os_regs
      wire _unused_os = load;
      always @(posedge clk) begin
        if (rst) begin
          west_q <= {WEST_BITS{1'b0}};
          north_q <= {NORTH_BITS{1'b0}};
          psum_q <= {ACC_BITS{1'b0}};
        end else begin
          west_q <= west_in;
          north_q <= north_in;
          psum_q <= drain ? psum_in : psum_q + product;
        end
      end
    end else begin : stationary_regs
      wire _unused_stationary = drain;
      always @(posedge clk) begin
        if (rst) begin
          west_q <= {WEST_BITS{1'b0}};
          north_q <= {NORTH_BITS{1'b0}};
          psum_q <= {ACC_BITS{1'b0}};
        end else begin
          west_q <= west_in;
          if (load) north_q <= north_in;
          psum_q <= psum_in + product;
        end
      end
    end
  endgenerate

  assign west_out = west_q;
  assign north_out = north_q;
  assign psum_out = psum_q;
endmodule
