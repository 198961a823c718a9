#!/usr/bin/python3
"""Train, evaluate and export the qarray reference networks on Fashion-MNIST.

Usage:
    /usr/bin/python3 networks/train.py --model resnet
    /usr/bin/python3 networks/train.py --model mobilenetv2

Writes into --out (default: this folder):
    <name>.onnx   opset 13, eval mode, BatchNormalization nodes preserved,
                  input "input" [N,1,28,28] float32 = pixel/255 (no mean/std),
                  output "logits" [N,10]
    <name>.json   accuracy / MACs / params summary
    <name>.md     model card
and into --vectors (default: <repo>/tests/data/pytorch/<name>/):
    input_0.pb, output_0.pb   onnx.TensorProto: first 16 test images and logits
    predictions.bin           10000 x uint8 argmax class, dataset order
"""
import os
import sys

# libgomp's default active spin-waiting collapses throughput when the 2 cores are
# shared with other jobs (measured 5x slower per batch under load); sleep instead.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    import torch
except ImportError:
    print("train.py needs PyTorch: apt-get install python3-torch")
    sys.exit(1)

import argparse
import gzip
import json
import platform
import random
import time

import numpy as np
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
SEED = 0
N_VECTORS = 16

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------
def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dtype_code = (magic >> 8) & 0xFF
    if dtype_code != 0x08:
        raise ValueError("%s: only unsigned-byte IDX files supported" % path)
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(data_dir, split):
    images = read_idx(os.path.join(data_dir, "%s-images-idx3-ubyte.gz" % split))
    labels = read_idx(os.path.join(data_dir, "%s-labels-idx1-ubyte.gz" % split))
    assert images.shape[0] == labels.shape[0]
    return images, labels


def to_input(images_u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28] = pixel/255 (the binding convention)."""
    return torch.from_numpy(images_u8.astype(np.float32) / np.float32(255.0)).unsqueeze(1)


def augment(x, pad=2):
    """Random crop with `pad` px zero padding + random horizontal flip (batch-wise)."""
    n, _, h, w = x.shape
    xp = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,))
    dx = torch.randint(0, 2 * pad + 1, (n,))
    rows = (dy[:, None] + torch.arange(h)[None, :])          # [n,h]
    cols = (dx[:, None] + torch.arange(w)[None, :])          # [n,w]
    idx_n = torch.arange(n)[:, None, None]
    out = xp[idx_n, 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)
    flip = torch.rand(n) < 0.5
    out = torch.where(flip[:, None, None, None], out.flip(3), out)
    return out.contiguous()


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, 0, bias=False),
                nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()
        self.relu2 = nn.ReLU()

    def forward(self, x):
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu2(y + self.shortcut(x))


class ResNet(nn.Module):
    """ResNet-style: stem 1->16 @28x28, 16->24 s2, 24->48 s2, 48->48 identity, GAP, FC."""

    def __init__(self, num_classes=10, widths=(16, 24, 48), identity_blocks=1):
        super().__init__()
        w0, w1, w2 = widths
        self.stem = nn.Sequential(
            nn.Conv2d(1, w0, 3, 1, 1, bias=False), nn.BatchNorm2d(w0), nn.ReLU())
        blocks = [BasicBlock(w0, w1, 2), BasicBlock(w1, w2, 2)]
        blocks += [BasicBlock(w2, w2, 1) for _ in range(identity_blocks)]
        self.layers = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)        # -> GlobalAveragePool
        self.flatten = nn.Flatten(1)               # -> Flatten
        self.fc = nn.Linear(w2, num_classes)       # -> Gemm

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(self.flatten(self.pool(x)))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.block = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, 1, 0, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU6(),
            nn.Conv2d(hidden, cout, 1, 1, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.block(x)
        return x + y if self.use_res else y


class MobileNetV2(nn.Module):
    """MobileNetV2-style. cfg rows: (out_channels, stride, expansion)."""
    CFG = [(16, 1, 4), (24, 2, 4), (24, 1, 4), (32, 1, 4), (32, 1, 4)]

    def __init__(self, num_classes=10, stem=16, cfg=None, last=128):
        super().__init__()
        cfg = cfg or self.CFG
        self.stem = nn.Sequential(
            nn.Conv2d(1, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU6())
        blocks, c = [], stem
        for cout, s, e in cfg:
            blocks.append(InvertedResidual(c, cout, s, e))
            c = cout
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(
            nn.Conv2d(c, last, 1, 1, 0, bias=False), nn.BatchNorm2d(last), nn.ReLU6())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.fc = nn.Linear(last, num_classes)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.fc(self.flatten(self.pool(x)))


MODELS = {"resnet": ResNet, "mobilenetv2": MobileNetV2}
DEFAULTS = {  # epochs, peak lr
    "resnet": dict(epochs=15, lr=0.1),
    "mobilenetv2": dict(epochs=15, lr=0.1),
}


# --------------------------------------------------------------------------
# Accounting
# --------------------------------------------------------------------------
def layer_table(model):
    """Per conv/linear layer: name, type, output shape, MACs and params for one image."""
    rows, hooks = [], []

    def hook(name):
        def f(mod, inp, out):
            if isinstance(mod, nn.Conv2d):
                kh, kw = mod.kernel_size
                oc, oh, ow = out.shape[1:]
                macs = oh * ow * oc * (mod.in_channels // mod.groups) * kh * kw
                if mod.groups == 1:
                    kind = "Conv %dx%d s%d" % (kh, kw, mod.stride[0])
                elif mod.groups == mod.in_channels == mod.out_channels:
                    kind = "DWConv %dx%d s%d" % (kh, kw, mod.stride[0])
                else:
                    kind = "GConv %dx%d s%d g%d" % (kh, kw, mod.stride[0], mod.groups)
                kind += " %d->%d" % (mod.in_channels, mod.out_channels)
            else:
                macs = mod.in_features * mod.out_features
                kind = "Linear %d->%d" % (mod.in_features, mod.out_features)
            params = sum(p.numel() for p in mod.parameters())
            rows.append(dict(name=name, kind=kind, shape=list(out.shape[1:]),
                             macs=int(macs), params=int(params)))
        return f

    for name, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            hooks.append(mod.register_forward_hook(hook(name)))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return rows


# --------------------------------------------------------------------------
# Train / eval
# --------------------------------------------------------------------------
def set_seeds(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def param_groups(model, wd):
    """Weight decay on full conv / linear weights only (not on BN, biases, depthwise)."""
    decay, no_decay = [], []
    for mod in model.modules():
        for pname, p in mod.named_parameters(recurse=False):
            if pname == "weight" and isinstance(mod, (nn.Conv2d, nn.Linear)) and \
                    not (isinstance(mod, nn.Conv2d) and mod.groups > 1):
                decay.append(p)
            else:
                no_decay.append(p)
    return [dict(params=decay, weight_decay=wd), dict(params=no_decay, weight_decay=0.0)]


@torch.no_grad()
def predict(model, x, bs=1000, channels_last=False):
    model.eval()
    outs = []
    for i in range(0, x.shape[0], bs):
        xb = x[i:i + bs]
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        outs.append(model(xb))
    return torch.cat(outs).contiguous()


def train(args):
    set_seeds(SEED)
    torch.set_num_threads(2)

    tr_img, tr_lab = load_split(args.data, "train")
    te_img, te_lab = load_split(args.data, "t10k")
    xtr, ytr = to_input(tr_img), torch.from_numpy(tr_lab.astype(np.int64))
    xte, yte = to_input(te_img), torch.from_numpy(te_lab.astype(np.int64))
    print("data: train %s test %s" % (tuple(xtr.shape), tuple(xte.shape)), flush=True)

    model = MODELS[args.model]()
    # NHWC is 2-4x faster on this CPU (esp. depthwise); only a memory-layout change.
    model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(param_groups(model, args.wd), lr=args.lr, momentum=0.9,
                          nesterov=True)
    steps_per_epoch = (xtr.shape[0] + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch,
        pct_start=0.15, anneal_strategy="cos", div_factor=10.0, final_div_factor=100.0)

    history = []
    t_start = time.time()
    load_start = os.getloadavg()
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        perm = torch.randperm(xtr.shape[0])
        tot_loss, tot_correct, seen = 0.0, 0, 0
        for i in range(0, xtr.shape[0], args.batch):
            idx = perm[i:i + args.batch]
            xb = augment(xtr[idx]).contiguous(memory_format=torch.channels_last)
            yb = ytr[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += loss.item() * yb.shape[0]
            tot_correct += (out.argmax(1) == yb).sum().item()
            seen += yb.shape[0]
        test_correct = (predict(model, xte, channels_last=True).argmax(1) == yte).sum().item()
        dt = time.time() - t0
        rec = dict(epoch=epoch, loss=tot_loss / seen, train_acc=100.0 * tot_correct / seen,
                   test_acc=test_correct / 100.0, seconds=dt)
        history.append(rec)
        print("epoch %2d/%d  loss %.4f  train %.2f %%  test %.2f %%  %.1f s" %
              (epoch, args.epochs, rec["loss"], rec["train_acc"], rec["test_acc"], dt),
              flush=True)
    wall = time.time() - t_start
    load_end = os.getloadavg()
    print("training wall time %.1f s" % wall, flush=True)

    # final evaluation (and everything exported) uses the plain NCHW model
    model = model.to(memory_format=torch.contiguous_format)
    model.eval()
    logits = predict(model, xte)
    preds = logits.argmax(1)
    correct = int((preds == yte).sum().item())
    acc = 100.0 * correct / xte.shape[0]
    print("final eval: %.2f %% (%d/%d)" % (acc, correct, xte.shape[0]), flush=True)

    info = dict(wall=wall, history=history, correct=correct, acc=acc,
                load_start=load_start, load_end=load_end)
    return model, xte, yte, logits, info


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------
def export_onnx(model, path):
    import onnx
    import onnx.numpy_helper
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(
        model, dummy, path, opset_version=13,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
        # PRESERVE + eval(): skips the eval-mode Conv+BN fusion peephole, so the
        # BatchNormalization nodes (with running stats) stay in the graph.
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=True)
    m = onnx.load(path)
    # The exporter deduplicates bit-identical initializers and re-creates the copies
    # with Identity nodes. Materialize those as plain initializers again.
    inits = {t.name: t for t in m.graph.initializer}
    keep, changed = [], False
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            m.graph.initializer.append(t)
            changed = True
        else:
            keep.append(n)
    if changed:
        del m.graph.node[:]
        m.graph.node.extend(keep)
        onnx.save(m, path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    n_bn = sum(1 for n in m.graph.node if n.op_type == "BatchNormalization")
    n_conv = sum(1 for n in m.graph.node if n.op_type == "Conv")
    allowed = {"Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "Clip", "Add",
               "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape",
               "Identity", "Dropout", "Constant"}
    bad = set(ops) - allowed
    if bad:
        raise RuntimeError("unsupported ONNX ops in export: %s" % sorted(bad))
    if n_bn == 0:
        raise RuntimeError("BatchNormalization nodes were folded away")
    for n in m.graph.node:
        if n.op_type == "BatchNormalization":
            if len(n.input) != 5 or any(a.name == "training_mode" and a.i for a in n.attribute):
                raise RuntimeError("BN node %s not in inference form" % n.name)
    # describe how Clip gets its bounds (opset 13: optional inputs 1=min, 2=max)
    producers = {o: n for n in m.graph.node for o in n.output}
    inits = {t.name for t in m.graph.initializer}
    forms = set()
    for n in m.graph.node:
        if n.op_type != "Clip":
            continue
        f = ["attrs:" + ",".join(a.name for a in n.attribute)] if n.attribute else []
        for label, name in zip(("min", "max"), list(n.input)[1:3]):
            if not name:
                f.append("%s=absent" % label)
                continue
            if name in inits:
                src = "initializer"
                val = onnx.numpy_helper.to_array(
                    [t for t in m.graph.initializer if t.name == name][0])
            elif name in producers and producers[name].op_type == "Constant":
                src = "Constant node"
                val = onnx.numpy_helper.to_array(producers[name].attribute[0].t)
            else:
                src, val = "computed", None
            f.append("%s=input from %s%s" % (label, src,
                     "" if val is None else " (%s, value %g)" % (
                         "scalar" if val.ndim == 0 else "shape %s" % (val.shape,),
                         float(val))))
        forms.add("; ".join(f))
    clip = sorted(forms)
    print("onnx: %s ops=%s conv=%d bn=%d" % (path, ops, n_conv, n_bn), flush=True)
    if clip:
        print("onnx: Clip form: %s" % clip, flush=True)
    return ops, n_bn, clip


def write_vectors(name, out_dir, xte, logits):
    from onnx import numpy_helper
    os.makedirs(out_dir, exist_ok=True)
    x = xte[:N_VECTORS].numpy().astype(np.float32)
    y = logits[:N_VECTORS].numpy().astype(np.float32)
    with open(os.path.join(out_dir, "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, name="input").SerializeToString())
    with open(os.path.join(out_dir, "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(y, name="logits").SerializeToString())
    preds = logits.argmax(1).numpy().astype(np.uint8)
    assert preds.shape == (10000,)
    with open(os.path.join(out_dir, "predictions.bin"), "wb") as f:
        f.write(preds.tobytes())
    print("vectors: %s" % out_dir, flush=True)


def write_card(args, model, rows, info, ops, n_bn, clip, path_md, path_json, cmd):
    total_macs = sum(r["macs"] for r in rows)
    convlin_params = sum(r["params"] for r in rows)
    all_params = sum(p.numel() for p in model.parameters())
    bn_params = all_params - convlin_params
    bn_buffers = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    # parameters after folding BN into the preceding conv (one bias per output channel)
    folded = sum(r["params"] for r in rows) + sum(
        r["shape"][0] for r in rows if "Linear" not in r["kind"])
    n_dw = sum(1 for r in rows if r["kind"].startswith("DWConv"))
    n_add = sum(1 for m in model.modules()
                if (isinstance(m, InvertedResidual) and m.use_res) or isinstance(m, BasicBlock))

    js = dict(name=args.model, pytorch_test_correct=info["correct"],
              pytorch_test_accuracy=round(info["acc"], 2), test_images=10000,
              macs_per_image=int(total_macs), params=int(all_params))
    with open(path_json, "w") as f:
        json.dump(js, f, indent=2)
        f.write("\n")

    L = []
    title = {"resnet": "ResNet-style", "mobilenetv2": "MobileNetV2-style"}[args.model]
    L.append("# %s — %s reference network (Fashion-MNIST)\n" % (args.model, title))
    L.append("File: `%s.onnx` (ONNX opset 13). Generated by `train.py` (except a "
             "hand-written Notes section at the end, if any); retrain instead of editing the "
             "numbers.\n" % args.model)
    L.append("## Interface\n")
    L.append("| tensor | name | shape | type | meaning |")
    L.append("|---|---|---|---|---|")
    L.append("| input | `input` | [N,1,28,28] | float32 | pixel / 255.0, **no** mean/std "
             "normalization |")
    L.append("| output | `logits` | [N,10] | float32 | unnormalized class scores, argmax = "
             "class |")
    L.append("")
    L.append("Classes (dataset label order 0..9): %s.\n" %
             ", ".join("%d %s" % (i, c) for i, c in enumerate(CLASSES)))
    L.append("## Accuracy\n")
    L.append("PyTorch FP32, eval mode, full Fashion-MNIST test set, no augmentation:\n")
    L.append("**%.2f %% (%d/10000)** top-1\n" % (info["acc"], info["correct"]))
    L.append("Reference outputs for the C++ FP32 executor: `tests/data/pytorch/%s/` "
             "(`input_0.pb` = first %d test images, `output_0.pb` = their logits, "
             "`predictions.bin` = 10000 uint8 argmax classes in dataset order).\n"
             % (args.model, N_VECTORS))
    L.append("## Architecture\n")
    L.append("Per conv / linear layer, for one 28x28 image. MACs count multiply-accumulates "
             "of conv/linear layers only (BN, activations, Add, pooling not counted). "
             "Params = weight (+ bias) of the layer; convs have no bias (each is followed "
             "by a BatchNormalization).\n")
    L.append("| # | layer | op | output [C,H,W] | MACs | params |")
    L.append("|---:|---|---|---|---:|---:|")
    for i, r in enumerate(rows):
        L.append("| %d | `%s` | %s | %s | %s | %s |" % (
            i, r["name"], r["kind"], "x".join(str(s) for s in r["shape"]),
            "{:,}".format(r["macs"]), "{:,}".format(r["params"])))
    L.append("| | **total** | | | **%s** | **%s** |" % (
        "{:,}".format(total_macs), "{:,}".format(convlin_params)))
    L.append("")
    L.append("- MACs per image: **%s**" % "{:,}".format(total_macs))
    L.append("- Trainable parameters: **%s** (%s conv/linear + %s BatchNorm gamma/beta); "
             "plus %s BN running mean/var buffers" % (
                 "{:,}".format(all_params), "{:,}".format(convlin_params),
                 "{:,}".format(bn_params), "{:,}".format(bn_buffers)))
    L.append("- Parameters after folding BN into the convs (weights + one bias per conv "
             "output channel): %s" % "{:,}".format(folded))
    L.append("- %d conv/linear layers, %d BatchNormalization nodes, %d depthwise convs, "
             "%d residual Add nodes" % (len(rows), n_bn, n_dw, n_add))
    L.append("- ONNX op types: %s" % ", ".join("`%s`" % o for o in ops))
    if args.model == "mobilenetv2":
        L.append("- Activations are ReLU6 (nn.ReLU6), exported as `Clip`; bounds: %s. "
                 "The projection 1x1 conv of each inverted residual has no activation; a "
                 "residual `Add` is used when stride 1 and in == out channels. Head: 1x1 conv "
                 "to 128 + ReLU6, GAP, Flatten, Linear." % " | ".join(clip))
    else:
        L.append("- Basic blocks: conv3x3(+BN+ReLU) -> conv3x3(+BN), shortcut = identity or "
                 "1x1 stride-2 conv + BN, `Add`, ReLU. Head: GAP, Flatten, Linear.")
    L.append("- BatchNormalization nodes are kept in the graph (exported with "
             "`training=TrainingMode.PRESERVE` on an eval-mode model, so torch does not fuse "
             "Conv+BN); the project's PTQ folds them.")
    L.append("")
    L.append("## Training recipe\n")
    L.append("| item | value |")
    L.append("|---|---|")
    L.append("| data | Fashion-MNIST train split (60,000), no validation split; test split "
             "(10,000) evaluated after each epoch for monitoring only, final model = last "
             "epoch |")
    L.append("| input | pixel/255, no normalization |")
    L.append("| augmentation | random crop 28x28 from 2-px zero-padded image, random "
             "horizontal flip (p=0.5) |")
    L.append("| optimizer | SGD, momentum 0.9, Nesterov |")
    L.append("| weight decay | %g on full (non-grouped) conv and linear weights; none on "
             "BN, biases, depthwise weights |" % args.wd)
    L.append("| lr schedule | OneCycle (cosine), peak %g, start peak/10, end peak/1000, "
             "15 %% warm-up, stepped per batch |" % args.lr)
    L.append("| epochs | %d |" % args.epochs)
    L.append("| batch | %d |" % args.batch)
    L.append("| loss | cross-entropy |")
    L.append("| seed | %d (torch.manual_seed, numpy, random); torch.set_num_threads(2) |"
             % SEED)
    L.append("| software | PyTorch %s (Debian python3-torch), numpy %s, Python %s; "
             "OMP_WAIT_POLICY=%s |" % (torch.__version__, np.__version__,
                                       platform.python_version(),
                                       os.environ.get("OMP_WAIT_POLICY", "unset")))
    L.append("| hardware | %d-core CPU, no GPU (%s) |" % (os.cpu_count(), platform.machine()))
    L.append("| training wall time | **%.0f s (%.1f min)** |" % (info["wall"],
                                                                 info["wall"] / 60))
    L.append("")
    ls, le = info["load_start"][0], info["load_end"][0]
    if max(ls, le) > 3.0:   # training alone gives ~2 on this 2-core machine
        L.append("Wall time was measured while other jobs (C++ compiles and benchmarks) were "
                 "running on the same 2-core machine (1-min load average %.2f at start, %.2f "
                 "at end), so it is inflated by CPU contention; the fastest epoch time below "
                 "is closer to the uncontended rate. Results are reproducible in principle "
                 "with the fixed seed, but exact bits may differ across PyTorch builds / "
                 "CPUs.\n" % (ls, le))
    else:
        L.append("1-min load average %.2f at start, %.2f at end of training. Results are "
                 "reproducible in principle with the fixed seed, but exact bits may differ "
                 "across PyTorch builds / CPUs.\n" % (ls, le))
    secs = sorted(h["seconds"] for h in info["history"])
    L.append("Epoch times (training + test-set evaluation) ranged %.1f-%.1f s, median %.1f s; "
             "at the fastest observed rate the %d epochs would take about %.1f min.\n" % (
                 secs[0], secs[-1], secs[len(secs) // 2], len(secs),
                 secs[0] * len(secs) / 60))
    L.append("Per-epoch log:\n")
    L.append("| epoch | train loss | train acc % | test acc % | seconds |")
    L.append("|---:|---:|---:|---:|---:|")
    for h in info["history"]:
        L.append("| %d | %.4f | %.2f | %.2f | %.1f |" % (
            h["epoch"], h["loss"], h["train_acc"], h["test_acc"], h["seconds"]))
    L.append("")
    L.append("## Retrain\n")
    L.append("```sh\n%s\n```\n" % cmd)
    L.append("This rewrites `networks/%s.{onnx,json,md}` and "
             "`tests/data/pytorch/%s/`." % (args.model, args.model))
    with open(path_md, "w") as f:
        f.write("\n".join(L) + "\n")
    print("card: %s, %s" % (path_md, path_json), flush=True)
    return total_macs, all_params


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--vectors", default=os.path.join(REPO, "tests", "data", "pytorch"),
                    help="test-vector root; files go to <vectors>/<model>/")
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--batch", type=int, default=128)
    args = ap.parse_args()
    d = DEFAULTS[args.model]
    if args.epochs is None:
        args.epochs = d["epochs"]
    if args.lr is None:
        args.lr = d["lr"]

    cmd = "/usr/bin/python3 networks/train.py --model %s" % args.model
    if args.epochs != d["epochs"]:
        cmd += " --epochs %d" % args.epochs
    if args.lr != d["lr"]:
        cmd += " --lr %g" % args.lr
    if args.wd != 5e-4:
        cmd += " --wd %g" % args.wd
    if args.batch != 128:
        cmd += " --batch %d" % args.batch

    model, xte, yte, logits, info = train(args)
    rows = layer_table(model)
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "%s.onnx" % args.model)
    ops, n_bn, clip = export_onnx(model, onnx_path)
    write_vectors(args.model, os.path.join(args.vectors, args.model), xte, logits)
    macs, params = write_card(args, model, rows, info, ops, n_bn, clip,
                              os.path.join(args.out, "%s.md" % args.model),
                              os.path.join(args.out, "%s.json" % args.model), cmd)
    print("done: %s acc %.2f %% (%d/10000) macs %d params %d wall %.0f s" % (
        args.model, info["acc"], info["correct"], macs, params, info["wall"]), flush=True)


if __name__ == "__main__":
    main()
