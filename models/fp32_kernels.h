// FP32 kernels of the reference executor on batched row-major buffers: activations NCHW
// ([N, C, H, W]) or [N, K] for the fully connected ops. Each kernel takes the node for its
// attributes and the batched output shape shape inference computed; none keeps state, so
// they are safe to call from several threads at once.
#pragma once
#include "models/graph.h"

namespace qarray::fp32 {

// Conv with group 1: im2col + one Eigen GEMM per chunk of images. bias may be null.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Node& node,
              const Shape& out_shape);
// Depthwise Conv (group == C == M): a direct loop per channel, vectorizable along rows.
Tensor depthwise_conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Node& node,
                        const Shape& out_shape);
// Gemm (alpha, beta, transB; c may be null) and MatMul (pass trans_b=false, alpha=beta=1).
Tensor gemm(const Tensor& x, const Tensor& b, const Tensor* c, bool trans_b, float alpha,
            float beta);

// Inference batch norm, in place: (x - mean) / sqrt(var + eps) * scale + B per channel.
void batch_norm(Tensor& x, const Tensor& scale, const Tensor& shift, const Tensor& mean,
                const Tensor& var, float epsilon);
void clip(Tensor& x, float lo, float hi);  // Relu is clip(0, +inf)
void add(Tensor& a, const Tensor& b);       // a += b, equal shapes

Tensor max_pool(const Tensor& x, const Node& node, const Shape& out_shape);
// Padding is excluded from the divisor unless node.count_include_pad.
Tensor average_pool(const Tensor& x, const Node& node, const Shape& out_shape);
Tensor global_average_pool(const Tensor& x);

}  // namespace qarray::fp32

// Kernels of the ops beyond the shipped networks' (fp32_ops.cpp), on batched row-major tensors
// of any rank; axes are those of the batched tensor (per-sample axis + 1).
namespace qarray::fp32 {

// Conv with any group (grouped, depthwise with a channel multiplier): one conv2d per group.
Tensor grouped_conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, const Node& node, const Shape& out_shape);
// y = f(x) per element (models/unary.h), in double, rounded to float once.
void unary(Tensor& x, const Node& node);
// ONNX multidirectional broadcasting; a (batched) and b (batched, or a constant of per-sample
// rank or less) are aligned on their last axes. op: Add, Sub, Mul, Div, PRelu.
Tensor binary(const Tensor& a, const Tensor& b, OpType op, const Shape& out_shape);
Tensor concat(const std::vector<const Tensor*>& parts, int64_t axis, const Shape& out_shape);
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm, const Shape& out_shape);
Tensor slice(const Tensor& x, const Node& node, const Shape& out_shape);  // node axes per sample
Tensor pad(const Tensor& x, const Node& node, const Shape& out_shape);    // node pads per sample
Tensor resize(const Tensor& x, const Node& node, const Shape& out_shape); // node scales per sample
// Mean or max over the per-sample axes of node.axes (out_shape may keep or drop them).
Tensor reduce(const Tensor& x, const Node& node, bool mean);
Tensor global_max_pool(const Tensor& x);
// Softmax / LogSoftmax over the contiguous per-sample axes node.axes, in place.
void softmax(Tensor& x, const Node& node, bool log);

}  // namespace qarray::fp32
