#!/usr/bin/python3
"""PyTorch's own CPU latency for a DG-Net model or its plain torchvision backbone.

The model is the one export_onnx.py exports (same deterministic weights, same inference
forward: logits only), run eagerly in float32 under torch.inference_mode() with
torch.set_num_threads(T). Each run times one `model(x)` call with time.perf_counter_ns;
warm-up runs are not counted. PyTorch's defaults are kept (oneDNN/MKLDNN convolutions where
torch picks them, NCHW memory format); --channels-last converts model and input to
channels_last, which is often faster on CPU. The input is the deterministic tensor `input`
of spec section 6 with seed S+1, shape [N, C, size, size].

With --logits the line also holds the logits of the last timed run as "logits" and those of the
first run (the first warm-up run, or the first timed one without warm-up) as "first_logits",
both row-major [N * classes], so that a caller can check that what was timed computes what the
other runtimes compute, from the first call on.

Prints one JSON line:
  {"framework":"pytorch","torch":...,"arch":...,"mode":...,"torchvision":...,"batch":N,
   "threads":T,"size":...,"channels_last":...,"median_ms":...,"p90_ms":...,"runs":R[,"logits":[...],"first_logits":[...]]}
p90 is the nearest-rank 90th percentile of the R run times.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from typing import List, Optional, Sequence, Tuple

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgnet_inference as dgi  # noqa: E402


def nearest_rank(sorted_values: Sequence[float], q: float) -> float:
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def time_runs(model: torch.nn.Module, x: torch.Tensor, warmup: int,
              runs: int) -> Tuple[List[float], torch.Tensor, torch.Tensor]:
    """Milliseconds of each of `runs` timed forwards, after `warmup` untimed ones; the first and last one's logits."""
    times: List[float] = []
    first: Optional[torch.Tensor] = None
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter_ns()
            logits = model(x)
            elapsed = time.perf_counter_ns() - start
            if first is None:
                first = logits
            if i >= warmup:
                times.append(elapsed / 1e6)
    return times, first, logits


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = dgi.OneLineErrorParser(
        description="Time PyTorch's eager float32 CPU forward of a DG-Net model (or its plain "
                    "torchvision backbone) with deterministic weights; prints one JSON line.",
        epilog="Example: bench_torch.py --arch resnet50 --mode static --batch 1 --threads 2 "
               "--seed 3 --num-classes 1000")
    dgi.add_model_arguments(parser)
    g = parser.add_argument_group("timing")
    g.add_argument("--batch", type=dgi.positive_int, required=True)
    g.add_argument("--threads", type=dgi.positive_int, required=True, help="torch.set_num_threads")
    g.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    g.add_argument("--runs", type=dgi.positive_int, default=30, help="timed runs (default 30)")
    g.add_argument("--channels-last", action="store_true",
                   help="convert model and input to channels_last (default: PyTorch's NCHW)")
    g.add_argument("--logits", action="store_true",
                   help="also print the last timed run's logits, row-major, as \"logits\", and the "
                        "first run's as \"first_logits\"")
    args = parser.parse_args(argv)
    if args.warmup < 0:
        parser.error(f"argument --warmup: must be >= 0, not {args.warmup}")
    spec = dgi.model_spec_from_args(parser, args)

    torch.set_num_threads(args.threads)
    try:
        model = dgi.build(spec)
        x = dgi.deterministic_input(spec.seed + 1, args.batch, spec.in_channels, args.size)
        if args.channels_last:
            model = model.to(memory_format=torch.channels_last)
            x = x.contiguous(memory_format=torch.channels_last)
        times, first_logits, logits = time_runs(model, x, args.warmup, args.runs)
        times.sort()
    except (ValueError, RuntimeError) as e:
        print(f"error: {e}".replace("\n", " "), file=sys.stderr)
        return 1

    result = {
        "framework": "pytorch", "torch": torch.__version__, "arch": spec.arch, "mode": spec.mode,
        "torchvision": spec.torchvision, "batch": args.batch, "threads": args.threads,
        "size": args.size, "channels_last": args.channels_last,
        "median_ms": round(statistics.median(times), 3), "p90_ms": round(nearest_rank(times, 0.9), 3),
        "runs": args.runs,
    }
    if args.logits:
        result["logits"] = logits.float().reshape(-1).tolist()
        result["first_logits"] = first_logits.float().reshape(-1).tolist()
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
