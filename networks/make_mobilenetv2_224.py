#!/usr/bin/python3
"""Generate networks/mobilenetv2_224.onnx: the standard MobileNetV2 (torchvision's mobilenet_v2,
width 1.0, 1000 classes) at 224x224x3 with seeded random weights, for timing and energy at a real
network size (`qarray run --model mobilenetv2_224 --synthetic`). Not trained: its accuracy means
nothing, and `--synthetic` reports none.

Usage:
    /usr/bin/python3 networks/make_mobilenetv2_224.py [--out networks/mobilenetv2_224.onnx]

Needs Debian's PyTorch, torchvision and onnx (apt-get install python3-torch python3-torchvision
python3-onnx; never run by scripts/setup, run or test: its output is committed).

Weights: torch.manual_seed(0), then torchvision's own initialisation (convolutions Kaiming-normal
fan-out, classifier N(0, 0.01), zero biases); every BatchNorm then gets weight U(0.5, 1.5), bias
N(0, 0.1), running mean N(0, 0.1), running variance U(0.5, 1.5), drawn in module order, so that
folding BatchNorm into the convolutions is not the identity. Exported in eval mode (Dropout
removed), opset 13, input "input" [N,3,224,224] float32, output "logits" [N,1000]; PyTorch's
exporter folds each BatchNorm into the convolution before it. The same PyTorch version writes the
same bytes (the card records the SHA-256).
"""
import argparse
import hashlib
import os
import sys

try:
    import torch
    import torchvision
    import onnx
except ImportError as e:
    print(f"make_mobilenetv2_224.py needs {e.name}: apt-get install python3-torch python3-torchvision python3-onnx")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))


def build():
    torch.manual_seed(0)
    model = torchvision.models.mobilenet_v2(weights=None, num_classes=1000)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(HERE, "mobilenetv2_224.onnx"))
    a = p.parse_args()
    model = build()
    x = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(model, x, a.out, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(a.out)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    params = sum(p.numel() for p in model.parameters())
    with open(a.out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"wrote {a.out}: {os.path.getsize(a.out)} bytes, sha256 {digest}")
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, onnx {onnx.__version__}; "
          f"{params} parameters; ops {', '.join(ops)}")


if __name__ == "__main__":
    main()
