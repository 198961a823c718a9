#!/usr/bin/env python3
"""Per-op test vectors: small PyTorch modules exported to ONNX (opset 13, batch dim symbolic) with a
seeded input and PyTorch's output, as ONNX TensorProto files (the layout of ONNX's backend test
data): tests/data/onnx_ops/<case>/{model.onnx, input_0.pb, output_0.pb}. tests/test_onnx_ops.cpp
runs every case (FP32 within 1e-5 relative; the integer path golden == SystemC).

Needs Debian's python3-torch and python3-onnx (apt-get install python3-torch python3-onnx); run with
/usr/bin/python3 from the repository root. CI never runs it: its outputs are committed.
"""
import os
import sys

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import onnx
    from onnx import numpy_helper
except ImportError as e:
    sys.exit(f"make_vectors.py needs PyTorch and ONNX: apt-get install python3-torch python3-onnx ({e})")

OUT = os.path.dirname(os.path.abspath(__file__))


class Lambda(nn.Module):
    def __init__(self, fn, *mods):
        super().__init__()
        self.fn = fn
        self.mods = nn.ModuleList(mods)

    def forward(self, x):
        return self.fn(x, *self.mods)


class SqueezeExcite(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.reduce = nn.Conv2d(c, r, 1)
        self.expand = nn.Conv2d(r, c, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        s = F.hardsigmoid(self.expand(F.relu(self.reduce(s))))
        return x * s


class MobileNetV3Block(nn.Module):
    """1x1 expand, hard-swish, 3x3 depthwise, squeeze-excite, 1x1 project, residual add."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(4, 12, 1)
        self.dw = nn.Conv2d(12, 12, 3, padding=1, groups=12)
        self.se = SqueezeExcite(12, 4)
        self.project = nn.Conv2d(12, 4, 1)

    def forward(self, x):
        y = F.hardswish(self.expand(x))
        y = F.hardswish(self.dw(y))
        y = self.se(y)
        return x + self.project(y)


def cases():
    c = {}
    c["conv_grouped"] = (nn.Conv2d(4, 6, 3, padding=1, groups=2), (4, 6, 6))
    c["conv_depthwise_multiplier"] = (nn.Conv2d(3, 6, 3, padding=1, groups=3), (3, 6, 6))
    c["conv_dilated"] = (nn.Conv2d(3, 4, 3, padding=2, dilation=2), (3, 7, 7))
    c["conv_same_stride2"] = (nn.Conv2d(3, 4, 3, stride=2, padding=1), (3, 7, 7))
    c["conv1d"] = (nn.Conv1d(3, 4, 3, padding=1), (3, 9))
    c["conv_transpose"] = (nn.ConvTranspose2d(3, 2, 3, stride=2), (3, 4, 4))
    c["linear_rank3"] = (nn.Linear(5, 3), (4, 5))
    c["sigmoid"] = (nn.Sigmoid(), (3, 4, 4))
    c["hardsigmoid"] = (nn.Hardsigmoid(), (3, 4, 4))
    c["hardswish"] = (nn.Hardswish(), (3, 4, 4))
    c["tanh"] = (nn.Tanh(), (3, 4, 4))
    c["erf"] = (Lambda(lambda x: torch.erf(x)), (3, 4, 4))
    c["silu"] = (Lambda(lambda x: x * torch.sigmoid(x)), (3, 4, 4))
    c["leaky_relu"] = (nn.LeakyReLU(0.1), (3, 4, 4))
    c["prelu"] = (nn.PReLU(3, 0.2), (3, 4, 4))
    c["elu"] = (nn.ELU(), (3, 4, 4))
    c["relu6_standalone"] = (Lambda(lambda x: F.relu6(x * 4.0)), (3, 4, 4))
    c["add_sub_mul_div_const"] = (Lambda(lambda x: ((x + 1.5) * 2.0 - 0.25) / 3.0), (3, 4, 4))
    c["mul_broadcast_channel"] = (Lambda(lambda x: x * x.mean(dim=(2, 3), keepdim=True)), (3, 4, 4))
    c["squeeze_excite"] = (SqueezeExcite(6, 2), (6, 5, 5))
    c["mobilenetv3_block"] = (MobileNetV3Block(), (4, 6, 6))
    c["concat"] = (Lambda(lambda x, m: torch.cat([x, torch.sigmoid(m(x))], dim=1), nn.Conv2d(3, 2, 1)), (3, 4, 4))
    c["split"] = (Lambda(lambda x: torch.split(x, [1, 3], dim=1)[1] * 2.0), (4, 3, 3))
    c["slice"] = (Lambda(lambda x: x[:, 1:3, ::2, 1:]), (4, 5, 5))
    c["transpose"] = (Lambda(lambda x: x.permute(0, 2, 3, 1)), (3, 4, 5))
    c["view_batch"] = (Lambda(lambda x, m: m(x.view(x.size(0), -1)), nn.Linear(48, 5)), (3, 4, 4))
    c["squeeze_unsqueeze"] = (Lambda(lambda x: x.unsqueeze(2).squeeze(2)), (3, 4, 4))
    c["pad_constant"] = (nn.ConstantPad2d((1, 2, 0, 1), 0.5), (2, 3, 3))
    c["pad_reflect"] = (nn.ReflectionPad2d(1), (2, 3, 3))
    c["pad_edge"] = (nn.ReplicationPad2d(2), (2, 3, 3))
    c["upsample_nearest"] = (nn.Upsample(scale_factor=2, mode="nearest"), (2, 3, 3))
    c["upsample_bilinear"] = (nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), (2, 3, 3))
    c["maxpool_ceil"] = (nn.MaxPool2d(3, stride=2, ceil_mode=True), (2, 6, 6))
    c["avgpool_ceil_include_pad"] = (nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True), (2, 6, 6))
    c["global_max_pool"] = (nn.AdaptiveMaxPool2d(1), (3, 4, 4))
    c["reduce_mean"] = (Lambda(lambda x: x.mean(dim=(2, 3))), (3, 4, 4))
    c["reduce_max"] = (Lambda(lambda x: x.amax(dim=1, keepdim=True)), (3, 4, 4))
    c["softmax"] = (nn.Softmax(dim=1), (5, 2, 2))
    c["log_softmax"] = (nn.LogSoftmax(dim=-1), (3, 6))
    return c


def tensor_file(path, array, name):
    t = numpy_helper.from_array(array, name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def main():
    torch.manual_seed(0)
    for name, (module, shape) in sorted(cases().items()):
        module.eval()
        for p in module.parameters():  # away from 0 and 1 so every op is exercised
            p.data.uniform_(-0.8, 0.8)
        x = torch.randn(2, *shape)
        with torch.no_grad():
            y = module(x)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        model = os.path.join(d, "model.onnx")
        torch.onnx.export(module, x, model, opset_version=13, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}}, do_constant_folding=True)
        onnx.checker.check_model(onnx.load(model))
        tensor_file(os.path.join(d, "input_0.pb"), x.numpy(), "x")
        tensor_file(os.path.join(d, "output_0.pb"), y.numpy(), "y")
        print(f"{name}: {list(x.shape)} -> {list(y.shape)}")


if __name__ == "__main__":
    main()
