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
