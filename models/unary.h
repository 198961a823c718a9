// The element-wise functions of one input, y = f(x), as ONNX defines them. One definition in
// double precision serves the FP32 executor (rounded to float once per element) and the integer
// lowering, which tabulates f over every input code (workloads/lut.h), so the two cannot
// disagree on what f is.
#pragma once
#include <algorithm>
#include <cmath>

#include "models/graph.h"

namespace qarray {

// Throws nothing; node supplies the attributes (alpha, beta, clip bounds). Only for is_unary().
inline double unary_value(const Node& n, double x) {
  switch (n.op) {
    case OpType::Relu: return x > 0.0 ? x : 0.0;
    case OpType::Clip: return std::min(std::max(x, static_cast<double>(n.clip_min)), static_cast<double>(n.clip_max));
    case OpType::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case OpType::HardSigmoid: return std::max(0.0, std::min(1.0, double{n.alpha} * x + n.beta));
    case OpType::HardSwish: return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
    case OpType::Tanh: return std::tanh(x);
    case OpType::Erf: return std::erf(x);
    case OpType::LeakyRelu: return x >= 0.0 ? x : double{n.alpha} * x;
    case OpType::Elu: return x >= 0.0 ? x : double{n.alpha} * (std::exp(x) - 1.0);
    case OpType::Selu: return double{n.beta} * (x > 0.0 ? x : double{n.alpha} * (std::exp(x) - 1.0));
    case OpType::Softplus: return x > 30.0 ? x : std::log1p(std::exp(x));
    case OpType::Softsign: return x / (1.0 + std::fabs(x));
    case OpType::Exp: return std::exp(x);
    case OpType::Neg: return -x;
    case OpType::Abs: return std::fabs(x);
    case OpType::Sqrt: return std::sqrt(x);
    case OpType::Reciprocal: return 1.0 / x;
    case OpType::Log: return std::log(x);
    case OpType::Floor: return std::floor(x);
    case OpType::Ceil: return std::ceil(x);
    case OpType::Round: return std::nearbyint(x);  // ties to even, as ONNX Round
    case OpType::Sign: return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
    case OpType::Sin: return std::sin(x);
    case OpType::Cos: return std::cos(x);
    case OpType::Celu: return std::max(0.0, x) + std::min(0.0, double{n.alpha} * (std::exp(x / n.alpha) - 1.0));
    case OpType::ThresholdedRelu: return x > n.alpha ? x : 0.0;
    case OpType::Shrink: return x < -n.beta ? x + n.alpha : (x > n.beta ? x - n.alpha : 0.0);  // alpha = bias, beta = lambd
    default: return x;
  }
}

}  // namespace qarray
