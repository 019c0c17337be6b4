"""Inference-only DG-Net models for export (export_onnx.py) and timing (bench_torch.py).

`dgnet_reference.DGNet.forward` is the oracle: it fills adjacency matrices in place, keeps
the raw router outputs and pulls the smallest router margin back to Python with `.item()`.
None of that belongs in a deployed graph. `InferenceDGNet` computes the same logits with a
forward that is a straight line of tensor ops (traceable, no Python-side data-dependent
control flow), returning logits only:

  * dynamic mode, per stage with m >= 2 and node i:
        r_i = sigmoid(W_i · GAP(x_i) + b_i)            # [N, m-i]
        A_i = r_i * (r_i > tau)                        # per-instance threshold (spec 2)
    and node j's input is the dense weighted sum over ALL its predecessors,
        a_j = sum_{i<j} A_i[:, j-i-1] * x_i            # weights [N, 1, 1, 1]
    i.e. a dropped edge is a multiply by 0, not a skipped branch;
  * static mode: the backbone's chain, block after block.

The summation order is the reference's, so in float32 the logits agree with it bit for bit
on the same machine (verify() checks a relative L2 error <= 1e-5 and identical adjacency).

`plain_backbone` is the architecture's own model (torchvision's, or the reference's
ResNet-20) with the same deterministic weights, for "torchvision export" comparisons.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgnet_reference as ref  # noqa: E402

VERIFY_TOLERANCE = 1e-5  # relative L2 error of the logits, inference forward vs reference (fp32)


class InferenceDGNet(ref.DGNet):
    """A DGNet whose forward(x) returns logits only, with mode and tau fixed at construction.

    Subclassing (rather than wrapping) keeps `state_dict()` names exactly the reference's,
    i.e. torchvision's plus `router.{s}.{i}.*`, so exported initializers carry those names.
    """

    def __init__(self, arch: str, mode: str, threshold: float = ref.DEFAULT_THRESHOLD,
                 num_classes: int = 1000, in_channels: int = 3):
        super().__init__(arch, num_classes, in_channels)
        if mode not in ref.MODES:
            raise ValueError(f"mode must be one of {ref.MODES}, not '{mode}'")
        self.mode = mode
        self.threshold = float(threshold)

    def forward(self, x: Tensor) -> Tensor:  # type: ignore[override]
        logits, _ = self._run(x, collect_adjacency=False)
        return logits

    def forward_with_adjacency(self, x: Tensor) -> Tuple[Tensor, Dict[int, Tensor]]:
        """Logits plus A ([N, m+1, m+1] per stage with m >= 2) as in spec 8; for verification only."""
        return self._run(x, collect_adjacency=True)

    def reference_forward(self, x: Tensor) -> ref.DGOutput:
        """The oracle's forward (dgnet_reference.DGNet.forward) on the same weights."""
        return ref.DGNet.forward(self, x, self.mode, self.threshold)

    def _run(self, x: Tensor, collect_adjacency: bool) -> Tuple[Tensor, Dict[int, Tensor]]:
        h = self.arch.stem(self, x)
        adjacency: Dict[int, Tensor] = {}
        for s, blocks in enumerate(self.stages):
            if len(blocks) == 1 or self.mode == "static":
                # m = 1 (no router, y = x_0) or static mode: the backbone's own chain.
                for block in blocks:
                    h = block(h)
                if collect_adjacency and len(blocks) > 1:
                    adjacency[s] = _chain_adjacency(h.shape[0], len(blocks), h)
                continue
            h, rows = _dynamic_stage(blocks, self.router[str(s)], h, self.threshold)
            if collect_adjacency:
                adjacency[s] = _adjacency_from_rows(rows)
        return self.arch.head(self, h), adjacency


def _dynamic_stage(blocks: Sequence[nn.Module], routers: nn.ModuleList, z: Tensor,
                   tau: float) -> Tuple[Tensor, List[Tensor]]:
    """One dynamic DG stage (spec 2) as straight-line tensor ops. Returns (y, [A_0 .. A_{m-1}]).

    `incoming[j]` collects, for every predecessor i < j in order, the [N, 1, 1, 1] weight of
    edge i -> j (zero when dropped); j = m is the stage's output node.
    """
    m = len(blocks)
    incoming: List[List[Tensor]] = [[] for _ in range(m + 1)]
    xs: List[Tensor] = []
    rows: List[Tensor] = []
    for j, block in enumerate(blocks):
        x_j = block(z if j == 0 else _weighted_sum(incoming[j], xs))
        xs.append(x_j)
        r = torch.sigmoid(routers[j](x_j.mean(dim=(2, 3))))  # [N, m - j]; GAP over H, W
        a_row = r * (r > tau).to(r.dtype)  # kept edges keep their weight; dropped ones are 0
        rows.append(a_row)
        for k, w in enumerate(a_row[:, :, None, None].split(1, dim=1)):
            incoming[j + 1 + k].append(w)
    return _weighted_sum(incoming[m], xs), rows


def _weighted_sum(weights: Sequence[Tensor], xs: Sequence[Tensor]) -> Tensor:
    # Same order of operations as dgnet_reference._aggregate, hence the same float32 bits. Not a call to it:
    # that one takes a [N, j] weight tensor, and gathering the per-edge weights into one would add Concat and
    # Gather nodes to the exported graph that ONNX Runtime would then have to run for nothing.
    total = weights[0] * xs[0]
    for w, x in zip(weights[1:], xs[1:]):
        total = total + w * x
    return total


def _adjacency_from_rows(rows: Sequence[Tensor]) -> Tensor:
    m = len(rows)
    a = rows[0].new_zeros(rows[0].shape[0], m + 1, m + 1)
    for i, row in enumerate(rows):
        a[:, i, i + 1:] = row
    return a


def _chain_adjacency(n: int, m: int, like: Tensor) -> Tensor:
    a = like.new_zeros(n, m + 1, m + 1)
    idx = torch.arange(m)
    a[:, idx, idx + 1] = 1.0
    return a


# --------------------------------------------------------------------------------------
# Building models with the deterministic weights of spec section 6
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """What to build: a DG model (dynamic or static) or the plain backbone (`torchvision`)."""
    arch: str
    mode: str = "dynamic"
    torchvision: bool = False
    seed: int = 0
    num_classes: int = 1000
    in_channels: int = 3
    threshold: float = ref.DEFAULT_THRESHOLD

    def describe(self) -> str:
        if self.torchvision:
            return f"{self.arch} (plain backbone)"
        tau = f", tau {ref.format_decimal(self.threshold)}" if self.mode == "dynamic" else ""
        return f"{self.arch} DG {self.mode}{tau}"


def build(spec: ModelSpec) -> nn.Module:
    """The float32 model of `spec` in eval mode, with the deterministic weights of seed `spec.seed`."""
    if spec.torchvision:
        model = ref.ARCHS[spec.arch].build(spec.num_classes, spec.in_channels)
    else:
        model = InferenceDGNet(spec.arch, spec.mode, spec.threshold, spec.num_classes, spec.in_channels)
    state = {
        name: torch.from_numpy(ref.deterministic_tensor(name, tuple(t.shape), spec.seed))
        for name, t in model.state_dict().items()
        if not name.endswith("num_batches_tracked")
    }
    # Every tensor is generated except num_batches_tracked, which keeps its initial 0.
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    return model.to(torch.float32).eval()


def deterministic_input(seed: int, batch: int, channels: int, size: int) -> Tensor:
    """The spec-6 tensor named `input`, shape [batch, channels, size, size], float32."""
    return torch.from_numpy(ref.deterministic_input(seed, (batch, channels, size, size)))


@dataclass(frozen=True)
class Verification:
    relative_error: float
    adjacency_equal: Optional[bool]  # None for the plain backbone (it has no adjacency)

    @property
    def ok(self) -> bool:
        return self.relative_error <= VERIFY_TOLERANCE and self.adjacency_equal is not False

    def __str__(self) -> str:
        text = f"relative L2 error {self.relative_error:.2e}"
        if self.adjacency_equal is not None:
            text += f", adjacency {'identical' if self.adjacency_equal else 'DIFFERENT'}"
        return text


@torch.no_grad()
def verify(model: nn.Module, spec: ModelSpec, x: Tensor) -> Verification:
    """float32: the inference forward vs dgnet_reference's DGNet.forward on the same weights.

    For the plain backbone the reference is the DG static forward of a DG model with the
    same seed (spec 2: static mode is exactly the backbone).
    """
    if isinstance(model, InferenceDGNet):
        logits, adjacency = model.forward_with_adjacency(x)
        expected = model.reference_forward(x)
        same = set(adjacency) == set(expected.adjacency) and all(
            torch.equal(adjacency[s], expected.adjacency[s]) for s in adjacency)
        return Verification(ref.relative_error(logits, expected.logits), same)
    dg = build(ModelSpec(spec.arch, "static", False, spec.seed, spec.num_classes, spec.in_channels))
    return Verification(ref.relative_error(model(x), dg.reference_forward(x).logits), None)


# --------------------------------------------------------------------------------------
# Shared command-line handling
# --------------------------------------------------------------------------------------


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line on stderr (exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    return value


def finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, not {text}")
    return value


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("model (deterministic weights, spec section 6)")
    g.add_argument("--arch", required=True, choices=list(ref.ARCHS))
    g.add_argument("--mode", choices=ref.MODES,
                   help="DG mode (default: dynamic; with --torchvision only 'static' is accepted)")
    g.add_argument("--torchvision", action="store_true",
                   help="the plain backbone instead of the DG model: torchvision's model of that "
                        "arch (resnet20: the reference's CIFAR ResNet-20), same weights, no routers")
    g.add_argument("--seed", type=int, required=True, help="weight seed; the input uses seed+1")
    g.add_argument("--num-classes", type=positive_int, required=True)
    g.add_argument("--in-channels", type=positive_int, default=3)
    g.add_argument("--threshold", type=finite_float,
                   help=f"tau of dynamic mode (default {ref.DEFAULT_THRESHOLD}); only with --mode dynamic")
    g.add_argument("--size", type=positive_int, default=224, help="input height = width (default 224)")


def model_spec_from_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ModelSpec:
    """Check the combination of model options (one-line error via `parser`) and build the spec."""
    mode = args.mode or ("static" if args.torchvision else "dynamic")
    if args.torchvision and mode != "static":
        parser.error("--torchvision is the plain backbone, which is static: drop --mode dynamic")
    if args.threshold is not None and mode != "dynamic":
        parser.error("--threshold only applies to --mode dynamic")
    threshold = ref.DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    return ModelSpec(args.arch, mode, args.torchvision, args.seed, args.num_classes,
                     args.in_channels, threshold)


def format_floats(values: np.ndarray) -> str:
    """float32 values with 9 significant digits (enough to round-trip), as a list literal."""
    return "[" + ", ".join(f"{float(v):.9g}" for v in values) + "]"
