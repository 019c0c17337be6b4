#!/usr/bin/python3
"""Emulate a bf16 session of the Java runtime on the golden cases and compare with their float64 logits.

Bf16AgreementTest needs a CPU with bf16 convolutions and skips elsewhere; this predicts what it would
print: per golden instance the float64 and emulated top-1, the top-1/top-2 gap of the golden logits over
their L2 norm, the emulated logits' relative L2 error, the share of that gap the emulation keeps (below 0:
the top-1 changed) and how many adjacency cells flip kept/dropped; then the test's totals. On the 27
golden cases of 2026-11-25 it gave 60 of 60 top-1, 6 flipped cells of 8202 and a worst logits error of
9.2%, where an AVX-512 machine measured 60 of 60, 7 and 9.1%.

    /usr/bin/python3 tests/reference/bf16_emulate.py                 # every golden case, ~4 minutes
    /usr/bin/python3 tests/reference/bf16_emulate.py FILE... [--compute float32] [--perturb 1e-5 --seed S]

What is rounded to bf16 (round to nearest even), as the runtime does in Precision.BF16:
  * the model input (reorder f32 -> bf16 before the stem);
  * every convolution's weights, after BatchNorm is folded in (fold in double, cast to f32, then bf16);
    biases stay f32;
  * every convolution's output, after bias, residual (sum / binary add post-op, f32) and activation;
  * every aggregation (f32 weighted sum of bf16 node outputs, stored bf16);
  * the squeeze-excitation's scaled map (bf16 x * f32 gate, stored bf16).
Routers (channel means of bf16 maps, linear, sigmoid), SE gates, global pooling and the classifier are f32.
Arithmetic between roundings is `--compute` (float64 by default). The runtime accumulates in f32 in its own
order, which moves a few bf16 roundings: `--compute float32` and `--perturb` (a relative Gaussian perturbation
of every value before it is rounded) show how much the outcome depends on that.
"""
import argparse
import glob
import math
import os
import sys

import torch
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock, Bottleneck
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.models.regnet import ResBottleneckBlock
from torchvision.ops.misc import Conv2dNormActivation

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgnet_reference as ref  # noqa: E402

GOLDEN = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources",
                                       "golden"))


class Emulator:
    """The forward of a reference DGNet with the runtime's bf16 roundings, computed in `dt` between them."""

    def __init__(self, model, dt, bf16=True, perturb=0.0, seed=0):
        self.perturb = perturb
        self.gen = torch.Generator().manual_seed(seed)
        self.m = model
        self.dt = dt
        self.bf16 = bf16
        self.cache = {}

    def round_bf16(self, x):
        if not self.bf16:
            return x
        if self.perturb:
            # stands for f32 sums in another order, which move values by a few f32 ulps before they are rounded
            x = x * (1 + self.perturb * torch.randn(x.shape, generator=self.gen, dtype=torch.float64).to(x.dtype))
        return x.to(torch.float32).to(torch.bfloat16).to(self.dt)

    def folded(self, conv, bn):
        key = id(conv)
        if key not in self.cache:
            w = conv.weight.detach().double()
            b = conv.bias.detach().double() if conv.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
            if bn is not None:
                scale = bn.weight.detach().double() / torch.sqrt(bn.running_var.detach().double() + 1e-5)
                w = (w * scale.view(-1, 1, 1, 1)).float()
                b = ((b - bn.running_mean.detach().double()) * scale + bn.bias.detach().double()).float()
            else:
                w, b = w.float(), b.float()
            if self.bf16:
                w = w.to(torch.bfloat16)
            self.cache[key] = (w.to(self.dt), b.to(self.dt))
        return self.cache[key]

    def conv(self, x, conv, bn, act=None, residual=None):
        w, b = self.folded(conv, bn)
        y = F.conv2d(x, w, b, conv.stride, conv.padding, conv.dilation, conv.groups)
        if residual is not None:
            y = y + residual
        if act is not None:
            y = act(y)
        return self.round_bf16(y)

    def cna(self, x, seq, residual=None):
        # torchvision's Conv2dNormActivation: [conv, bn, (activation)]
        act = seq[2] if len(seq) > 2 else None
        return self.conv(x, seq[0], seq[1], act, residual)

    def se(self, x, se):
        g = x.mean(dim=(2, 3), keepdim=True)
        g = se.activation(F.conv2d(g, se.fc1.weight.to(self.dt), se.fc1.bias.to(self.dt)))
        g = se.scale_activation(F.conv2d(g, se.fc2.weight.to(self.dt), se.fc2.bias.to(self.dt)))
        return self.round_bf16(x * g)

    def block(self, x, b):
        relu = torch.relu
        if isinstance(b, BasicBlock):
            sc = self.conv(x, b.downsample[0], b.downsample[1]) if b.downsample is not None else x
            h = self.conv(x, b.conv1, b.bn1, relu)
            return self.conv(h, b.conv2, b.bn2, relu, sc)
        if isinstance(b, Bottleneck):
            sc = self.conv(x, b.downsample[0], b.downsample[1]) if b.downsample is not None else x
            h = self.conv(x, b.conv1, b.bn1, relu)
            h = self.conv(h, b.conv2, b.bn2, relu)
            return self.conv(h, b.conv3, b.bn3, relu, sc)
        if isinstance(b, InvertedResidual):
            layers = list(b.conv)
            h = x
            for layer in layers[:-2]:
                assert isinstance(layer, Conv2dNormActivation)
                h = self.cna(h, layer)
            return self.conv(h, layers[-2], layers[-1], None, x if b.use_res_connect else None)
        if isinstance(b, ResBottleneckBlock):
            sc = self.cna(x, b.proj) if b.proj is not None else x
            h = self.cna(x, b.f.a)
            h = self.cna(h, b.f.b)
            if hasattr(b.f, "se"):
                h = self.se(h, b.f.se)
            return self.conv(h, b.f.c[0], b.f.c[1], relu, sc)
        raise TypeError(type(b))

    def stem(self, x):
        m = self.m
        name = m.arch.name
        if name == "mobilenet_v2":
            return self.cna(x, m.features[0])
        if name.startswith("regnet"):
            return self.cna(x, m.stem)
        h = self.conv(x, m.conv1, m.bn1, torch.relu)
        return h if name == "resnet20" else m.maxpool(h)

    def head(self, y):
        m = self.m
        if m.arch.name == "mobilenet_v2":
            y = self.cna(y, m.features[18])
            fc = m.classifier[1]
        else:
            fc = m.fc
        f = y.mean(dim=(2, 3))
        return F.linear(f, fc.weight.to(self.dt), fc.bias.to(self.dt))

    def aggregate(self, w, xs):
        total = w[:, 0].view(-1, 1, 1, 1) * xs[0]
        for i in range(1, len(xs)):
            total = total + w[:, i].view(-1, 1, 1, 1) * xs[i]
        return self.round_bf16(total)

    @torch.no_grad()
    def forward(self, x, mode, tau):
        h = self.stem(self.round_bf16(x.to(self.dt)))
        adj = {}
        raw = {}
        for s, blocks in enumerate(self.m.stages):
            m = len(blocks)
            if m == 1:
                h = self.block(h, blocks[0])
                continue
            routers = self.m.router[str(s)] if mode == "dynamic" else None
            n = h.shape[0]
            a = torch.zeros(n, m + 1, m + 1, dtype=torch.float64)
            r_all = torch.zeros(n, m + 1, m + 1, dtype=torch.float64)
            xs = []
            for j in range(m):
                inp = h if j == 0 else self.aggregate(a[:, :j, j].to(self.dt), xs)
                xj = self.block(inp, blocks[j])
                xs.append(xj)
                if routers is None:
                    a[:, j, j + 1] = 1.0
                else:
                    lin = routers[j]
                    # f32 routing, as the runtime does (means accurate, then an f32 linear and sigmoid)
                    g = xj.double().mean(dim=(2, 3)).float()
                    r = torch.sigmoid(F.linear(g, lin.weight.float(), lin.bias.float())).double()
                    r_all[:, j, j + 1:] = r
                    a[:, j, j + 1:] = torch.where(r > tau, r, torch.zeros_like(r))
            h = self.aggregate(a[:, :m, m].to(self.dt), xs)
            adj[s] = a
            raw[s] = r_all
        return self.head(h).double(), adj, raw


def run_file(path, dt, bf16=True, perturb=0.0, seed=0):
    tensors, meta = ref.read_safetensors(path)
    cfg = ref.ModelConfig.from_metadata(meta)
    model = ref.make_model(cfg, int(meta["golden.weight_seed"]))
    dims = [int(d) for d in meta["golden.input_shape"].split(",")]
    x = torch.from_numpy(ref.deterministic_input(int(meta["golden.input_seed"]), dims))
    logits, adj, raw = Emulator(model, dt, bf16, perturb, seed).forward(x, cfg.mode, cfg.threshold)
    return tensors, meta, logits, adj, raw


def main() -> int:
    p = argparse.ArgumentParser(description="Emulate bf16 sessions on the golden cases (see the module docstring).")
    p.add_argument("files", nargs="*", help="golden files (default: every one)")
    p.add_argument("--compute", default="float64", choices=["float64", "float32"],
                   help="arithmetic between bf16 roundings (default float64)")
    p.add_argument("--perturb", type=float, default=0.0, help="relative perturbation before each rounding, e.g. 1e-5")
    p.add_argument("--seed", type=int, default=0, help="seed of the perturbation")
    p.add_argument("--exact", action="store_true", help="no bf16 rounding: must reproduce the golden logits")
    args = p.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(GOLDEN, "*.safetensors")))
    dt = getattr(torch, args.compute)
    instances = same_top1 = cells = flips = 0
    worst = 0.0
    # gap: golden top-1 minus top-2 over the golden logits' L2 norm; error: relative L2 error of the emulated
    # logits; kept: the emulated top-1 minus the best other class, over the golden gap (below 0: top-1 changed);
    # margin: the smallest emulated |router - tau|.
    print(f"{'case':<34} {'n':>1} {'f64':>3} {'bf16':>4} {'gap':>7} {'error':>7} {'kept':>6} {'flipped':>8}"
          f" {'margin':>7}")
    for path in files:
        try:
            tensors, meta, logits, adj, raw = run_file(path, dt, not args.exact, args.perturb, args.seed)
        except (OSError, ref.FormatError) as e:
            message = str(e) if str(e).startswith(path) or isinstance(e, OSError) else f"{path}: {e}"
            print(f"bf16_emulate.py: {message}", file=sys.stderr)
            return 2
        except KeyError as e:
            print(f"bf16_emulate.py: {path}: not a golden case: no {e}", file=sys.stderr)
            return 2
        golden = torch.from_numpy(tensors["logits"]).double()
        worst = max(worst, (torch.linalg.norm(logits - golden) / torch.linalg.norm(golden)).item())
        tau = float(meta["dgnet.threshold"])
        name = os.path.basename(path).replace(".safetensors", "")
        for n in range(golden.shape[0]):
            g, e = golden[n], logits[n]
            t = int(torch.argmax(g))
            top = torch.topk(g, 2).values
            gap = top[0] - top[1]
            error = (torch.linalg.norm(e - g) / torch.linalg.norm(g)).item()
            kept = ((e[t] - torch.cat([e[:t], e[t + 1:]]).max()) / gap).item()
            flipped = total = 0
            margin = math.inf
            for s, a in adj.items():
                kept_golden = torch.from_numpy(tensors[f"adjacency.{s}"][n]) != 0
                flipped += int(((a[n] != 0) != kept_golden).sum())
                total += kept_golden.numel()
                if meta["dgnet.mode"] == "dynamic":
                    upper = torch.triu_indices(a.shape[1], a.shape[1], offset=1)
                    margin = min(margin, (raw[s][n][upper[0], upper[1]] - tau).abs().min().item())
            bf16_top1 = int(torch.argmax(e))
            instances += 1
            same_top1 += bf16_top1 == t
            cells += total
            flips += flipped
            print(f"{name:<34} {n:>1} {t:>3} {bf16_top1:>4} {(gap / torch.linalg.norm(g)).item():>7.4f} {error:>7.4f}"
                  f" {kept:>6.2f} {flipped:>4}/{total:<3} {margin:>7.4f}{'' if bf16_top1 == t else '  top-1 differs'}",
                  flush=True)
    print(f"top-1 identical on {same_top1} of {instances} instances, kept/dropped identical on {cells - flips} of "
          f"{cells} matrix cells ({flips} flipped), worst logits relative error {worst:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
