#!/usr/bin/python3
"""Export a DG-Net model (or its plain torchvision backbone) with deterministic weights to ONNX.

The graph is what a user would export for inference with ONNX Runtime: one input `input`
[N, C, H, W] float32 (dynamic batch N, fixed H = W = --size), one output `logits` [N, K],
opset 17 (the highest torch 1.13 exports), eval mode, constant folding on. A dynamic DG
model exports its routers, the per-instance threshold `A = r * (r > tau)` and every
aggregation as a dense weighted sum over all predecessors (see dgnet_inference.py).

Before exporting, the export forward is checked against the reference forward in float32
(relative L2 error <= 1e-5, identical adjacency). After exporting, the file is read back
(a minimal protobuf reader: the `onnx` package is not needed) and summarized. The last line
printed is a sanity line for the Java side: logits of the deterministic input of seed S+1.

    /usr/bin/python3 tests/reference/export_onnx.py --arch resnet50 --mode dynamic \\
        --seed 3 --num-classes 1000 -o /tmp/resnet50_dynamic.onnx
"""

from __future__ import annotations

import collections
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgnet_inference as dgi  # noqa: E402

OPSET = 17  # the highest opset torch 1.13's exporter supports; ONNX Runtime 1.23 runs it
VERIFY_BATCH = 2  # instances in the pre-export check (and in the traced example input)


# --------------------------------------------------------------------------------------
# Reading an ONNX file back without the `onnx` package
# --------------------------------------------------------------------------------------
# ONNX files are protobuf ModelProto messages. The summary needs a handful of fields, so a
# wire-format reader (varints and length-delimited fields) is enough. Field numbers are from
# onnx/onnx.proto: ModelProto{ir_version=1, opset_import=8, graph=7},
# OperatorSetIdProto{domain=1, version=2}, GraphProto{node=1, initializer=5, input=11,
# output=12}, NodeProto{op_type=4}, TensorProto{dims=1, name=8}, ValueInfoProto{name=1,
# type=2}, TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2},
# TensorShapeProto{dim=1}, Dimension{dim_value=1, dim_param=2}.

_ELEM_TYPES = {1: "float32", 6: "int32", 7: "int64", 10: "float16", 11: "float64", 16: "bfloat16"}


def _varint(buf: memoryview, pos: int) -> Tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _fields(buf: memoryview) -> Iterator[Tuple[int, object]]:
    """(field number, value) of one message: int for varints, memoryview for length-delimited."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            value, pos = bytes(buf[pos:pos + width]), pos + width
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, value


def _packed_or_single(values: List[object]) -> List[int]:
    """Repeated int64 fields may be packed (one length-delimited blob) or not."""
    out: List[int] = []
    for v in values:
        if isinstance(v, int):
            out.append(v)
        else:
            pos = 0
            while pos < len(v):
                x, pos = _varint(v, pos)
                out.append(x)
    return out


def _group(buf: memoryview) -> Dict[int, List[object]]:
    grouped: Dict[int, List[object]] = collections.defaultdict(list)
    for number, value in _fields(buf):
        grouped[number].append(value)
    return grouped


def _value_info(buf: memoryview) -> str:
    """`name: elem_type[d0, d1, ...]`, a symbolic dimension by its name."""
    info = _group(buf)
    name = bytes(info[1][0]).decode()
    tensor = _group(_group(info[2][0])[1][0]) if 2 in info else {}
    elem = _ELEM_TYPES.get(tensor[1][0], f"type{tensor[1][0]}") if 1 in tensor else "?"
    dims = []
    for dim in (_group(tensor[2][0]).get(1, []) if 2 in tensor else []):
        d = _group(dim)
        dims.append(str(d[1][0]) if 1 in d else bytes(d[2][0]).decode() if 2 in d else "?")
    return f"{name}: {elem}[{', '.join(dims)}]"


@dataclass
class OnnxSummary:
    ir_version: int = 0
    opsets: Dict[str, int] = field(default_factory=dict)
    inputs: List[str] = field(default_factory=list)  # graph inputs that are not initializers
    outputs: List[str] = field(default_factory=list)
    ops: collections.Counter = field(default_factory=collections.Counter)
    initializers: int = 0
    parameters: int = 0


def summarize_onnx(path: str) -> OnnxSummary:
    with open(path, "rb") as f:
        model = _group(memoryview(f.read()))
    s = OnnxSummary(ir_version=model[1][0] if 1 in model else 0)
    for opset in model.get(8, []):
        o = _group(opset)
        s.opsets[bytes(o[1][0]).decode() if 1 in o else ""] = o[2][0] if 2 in o else 0
    graph = _group(model[7][0])
    init_names = set()
    for tensor in graph.get(5, []):
        t = _group(tensor)
        init_names.add(bytes(t[8][0]).decode() if 8 in t else "")
        numel = 1
        for d in _packed_or_single(t.get(1, [])):
            numel *= d
        s.initializers += 1
        s.parameters += numel
    s.ops.update(bytes(_group(node)[4][0]).decode() for node in graph.get(1, []))
    inputs = (_value_info(v) for v in graph.get(11, []))
    s.inputs = [v for v in inputs if v.split(":")[0] not in init_names]
    s.outputs = [_value_info(v) for v in graph.get(12, [])]
    return s


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------


def export(model: torch.nn.Module, example: torch.Tensor, path: str) -> None:
    """torch.onnx.export with a dynamic batch axis; torch runs the ONNX checker on the result."""
    with torch.no_grad():
        torch.onnx.export(
            model, (example,), path,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=OPSET, do_constant_folding=True,
            training=torch.onnx.TrainingMode.EVAL, export_params=True,
        )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = dgi.OneLineErrorParser(
        description="Export a DG-Net model or its plain torchvision backbone, with the deterministic "
                    "weights of spec section 6, to ONNX (opset 17) for ONNX Runtime.",
        epilog="Example: export_onnx.py --arch resnet50 --mode dynamic --seed 3 --num-classes 1000 -o r50.onnx")
    dgi.add_model_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE.onnx")
    args = parser.parse_args(argv)
    spec = dgi.model_spec_from_args(parser, args)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(out_dir):
        parser.error(f"-o: directory {out_dir} does not exist")

    try:
        start = time.perf_counter()
        model = dgi.build(spec)
        # The verification batch doubles as the traced example: batch 2 keeps the tracer
        # from specializing anything on a batch of 1.
        x = dgi.deterministic_input(spec.seed + 1, VERIFY_BATCH, spec.in_channels, args.size)
        check = dgi.verify(model, spec, x)
        print(f"{spec.describe()}: export forward vs reference forward (float32, input seed "
              f"{spec.seed + 1}, {list(x.shape)}): {check}")
        if not check.ok:
            print(f"error: export forward differs from the reference (tolerance {dgi.VERIFY_TOLERANCE:g})",
                  file=sys.stderr)
            return 1

        export_start = time.perf_counter()
        export(model, x, args.output)
        export_seconds = time.perf_counter() - export_start

        size = os.path.getsize(args.output)
        if size == 0:
            raise RuntimeError(f"{args.output} is empty")
        summary = summarize_onnx(args.output)
        control_flow = sorted(set(summary.ops) & {"If", "Loop", "Scan"})
        if control_flow:
            raise RuntimeError(f"exported graph has control flow ops {control_flow}")
        print(f"exported in {export_seconds:.1f} s: ir_version {summary.ir_version}, opsets {summary.opsets}, "
              f"{sum(summary.ops.values())} nodes, {summary.initializers} initializers "
              f"({summary.parameters} values)")
        print(f"  inputs {summary.inputs}; outputs {summary.outputs}")
        print("  ops: " + ", ".join(f"{op} {n}" for op, n in summary.ops.most_common()))

        with torch.no_grad():
            sanity = model(dgi.deterministic_input(spec.seed + 1, 1, spec.in_channels, args.size))[0].numpy()
        print(f"{args.output}: {size} bytes; input seed {spec.seed + 1} "
              f"[1, {spec.in_channels}, {args.size}, {args.size}]: max|logit| {abs(sanity).max():.9g}, "
              f"logits[:3] {dgi.format_floats(sanity[:3])} ({time.perf_counter() - start:.1f} s in all)")
        return 0
    except (ValueError, RuntimeError, OSError) as e:
        print(f"error: {e}".replace("\n", " "), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
