"""Int8 dynamic quantisation of an fp32 ONNX forecaster (any export: only MatMul/Gemm are touched).

    /usr/bin/python3 -m tsfm_v2.quantize IN.onnx OUT.onnx [--exclude NODE,...] [--per-tensor]
        [--reduce-range] [--format ops|contrib] [--min-elements N]

Each MatMul whose B is a constant initializer, and each Gemm (alpha = beta = 1, transA = 0, B an
initializer, C absent or a 1-D initializer), becomes the dynamic-quantisation pattern ONNX
Runtime fuses on CPU:

    x ──DynamicQuantizeLinear──► x_q (uint8), x_scale, x_zp
    MatMulInteger(x_q, W_q (int8), x_zp, W_zp) ──Cast(float)──► Mul(x_scale · W_scale) ──► Add(bias)

(`--format ops`, standard ai.onnx ops only; ORT's MatMulIntegerToFloat fusion turns it into its
DynamicQuantizeMatMul kernel at session creation), or that kernel written directly
(`--format contrib`: com.microsoft DynamicQuantizeMatMul(x, W_q, W_scale, W_zp, bias)).

Weights are quantised symmetrically (zero point 0) to int8, per output column by default
(scale_j = max_k |W[k, j]| / 127), or per tensor. --reduce-range uses 7 bits (±63): on x86 CPUs
without AVX-512 VNNI, ORT's u8·s8 kernel sums pairs of products in int16, which 8-bit weights can
saturate; VNNI sums in int32 and needs no reduced range.

What is left alone: every other op (Gather, Softmax, the normalisation, ...), MatMuls whose B is
computed or a Constant node (the v2 model's cumulative-sum matrix of ±1 is one: its activations
are the quantile increments, which stay fp32 so that quantiles stay non-crossing and exact), and
weights smaller than --min-elements (too cheap to matter, not worth the rounding), and the nodes
named in --exclude (an error if one is not in the graph: a re-export that renamed a node must not
silently quantise a layer that was meant to stay fp32). The shipped int8 variant keeps /inp/Gemm
and /incr/Gemm in fp32 (model-int8/MODEL_CARD.md says why).

Activations are quantised per tensor over the whole batch (DynamicQuantizeLinear), so a row's
outputs depend slightly on the other rows run with it.

Deterministic: the same input file and options give the same bytes (numpy rounding, nodes and
initializers in graph order, no timestamps).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MS_DOMAIN = "com.microsoft"


class QuantiseError(Exception):
    pass


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def quantise_weight(w: np.ndarray, per_column: bool, reduce_range: bool) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantisation of W [K, N]: (W_q int8 [K, N], scale float32 [N] or [])."""
    qmax = 63.0 if reduce_range else 127.0
    w = w.astype(np.float32)
    amax = np.abs(w).max(axis=0) if per_column else np.array(np.abs(w).max(), dtype=np.float32)
    # An all-zero column keeps scale 1 (any scale represents it exactly; 0 would divide by zero).
    scale = np.where(amax > 0, amax / np.float32(qmax), np.float32(1.0)).astype(np.float32)
    q = np.clip(np.rint(w / scale), -qmax, qmax).astype(np.int8)
    return q, scale


def _matmul_candidates(graph: onnx.GraphProto, inits: dict, min_elements: int):
    """(node, weight [K, N] as numpy, bias or None) for each node this pass rewrites."""
    out = []
    for node in graph.node:
        if node.op_type == "MatMul":
            b = node.input[1]
            if b not in inits or len(inits[b].dims) != 2:
                continue
            out.append((node, numpy_helper.to_array(inits[b]), None))
        elif node.op_type == "Gemm":
            a = _attrs(node)
            if a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or a.get("transA", 0) != 0:
                continue
            b = node.input[1]
            if b not in inits or len(inits[b].dims) != 2:
                continue
            w = numpy_helper.to_array(inits[b])
            if a.get("transB", 0) == 1:
                w = w.T
            bias = None
            if len(node.input) > 2 and node.input[2] != "":
                c = node.input[2]
                if c not in inits or len(inits[c].dims) != 1 or inits[c].dims[0] != w.shape[1]:
                    continue
                bias = numpy_helper.to_array(inits[c])
            out.append((node, w, bias))
    return [c for c in out if c[1].size >= min_elements]


def quantise_model(
    model: onnx.ModelProto,
    per_column: bool = True,
    reduce_range: bool = False,
    fmt: str = "ops",
    min_elements: int = 4096,
    exclude: tuple[str, ...] = (),
) -> tuple[onnx.ModelProto, list[str]]:
    """Returns the rewritten model (a copy) and the names of the nodes it quantised."""
    if fmt not in ("ops", "contrib"):
        raise QuantiseError(f"unknown format {fmt!r} (ops | contrib)")
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    names = {n.name for n in graph.node}
    missing = [e for e in exclude if e not in names]
    if missing:
        raise QuantiseError(f"--exclude names no node of the graph: {', '.join(missing)}")
    candidates = [c for c in _matmul_candidates(graph, inits, min_elements) if c[0].name not in exclude]
    if not candidates:
        raise QuantiseError("no MatMul/Gemm with a constant initializer weight to quantise")
    by_node = {id(node): (w, bias) for node, w, bias in candidates}

    new_inits: list[TensorProto] = []
    new_nodes: list[onnx.NodeProto] = []
    replaced_inputs: set[str] = set()
    done: list[str] = []
    # One DynamicQuantizeLinear per activation tensor, shared by the MatMuls that read it.
    quantised_activation: dict[str, tuple[str, str, str]] = {}
    for node in graph.node:
        if id(node) not in by_node:
            new_nodes.append(node)
            continue
        w, bias = by_node[id(node)]
        base = node.name or node.output[0]
        x = node.input[0]
        y = node.output[0]
        replaced_inputs.update(i for i in node.input[1:] if i != "")
        n_bias = None
        if bias is not None:
            n_bias = f"{base}/bias"
            new_inits.append(numpy_helper.from_array(bias.astype(np.float32), n_bias))
        done.append(base)
        wq, scale = quantise_weight(w, per_column, reduce_range)
        zp = np.zeros(scale.shape, dtype=np.int8)
        n_wq, n_scale, n_zp = f"{base}/W_quantized", f"{base}/W_scale", f"{base}/W_zero_point"
        new_inits += [
            numpy_helper.from_array(wq, n_wq),
            numpy_helper.from_array(scale, n_scale),
            numpy_helper.from_array(zp, n_zp),
        ]
        if fmt == "contrib":
            inputs = [x, n_wq, n_scale, n_zp] + ([n_bias] if n_bias else [])
            new_nodes.append(
                helper.make_node("DynamicQuantizeMatMul", inputs, [y], name=f"{base}/quant", domain=MS_DOMAIN)
            )
        else:
            if x not in quantised_activation:
                xq, xs, xz = f"{x}_quantized", f"{x}_scale", f"{x}_zero_point"
                new_nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [xq, xs, xz], name=f"{x}_QuantizeLinear"))
                quantised_activation[x] = (xq, xs, xz)
            xq, xs, xz = quantised_activation[x]
            acc, acc_f, scales = f"{base}/int32", f"{base}/int32_cast", f"{base}/scales"
            mm_out = f"{base}/dequantized" if n_bias else y
            new_nodes += [
                helper.make_node("MatMulInteger", [xq, n_wq, xz, n_zp], [acc], name=f"{base}/MatMulInteger"),
                helper.make_node("Cast", [acc], [acc_f], name=f"{base}/Cast", to=TensorProto.FLOAT),
                helper.make_node("Mul", [xs, n_scale], [scales], name=f"{base}/scales_mul"),
                helper.make_node("Mul", [acc_f, scales], [mm_out], name=f"{base}/output_scale_mul"),
            ]
            if n_bias:
                new_nodes.append(helper.make_node("Add", [mm_out, n_bias], [y], name=f"{base}/bias_add"))

    # Drop the fp32 weights (and biases) nothing reads any more.
    still_read = {i for n in new_nodes for i in n.input}
    kept = [i for i in graph.initializer if i.name not in replaced_inputs or i.name in still_read]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    del graph.node[:]
    graph.node.extend(new_nodes)
    if fmt == "contrib" and not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    # Drop stale value_info of the replaced weights (shape inference would otherwise keep fp32 types).
    vi = [v for v in graph.value_info if v.name not in replaced_inputs]
    del graph.value_info[:]
    graph.value_info.extend(vi)
    if fmt == "ops":
        onnx.checker.check_model(model)
    return model, done


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--per-tensor", action="store_true", help="one weight scale per matrix (default: per column)")
    p.add_argument("--reduce-range", action="store_true", help="7-bit weights (CPUs without AVX-512 VNNI)")
    p.add_argument("--format", choices=["ops", "contrib"], default="ops")
    p.add_argument("--min-elements", type=int, default=4096, help="leave weights with fewer elements in fp32")
    p.add_argument("--exclude", default="", help="comma-separated node names to leave in fp32")
    args = p.parse_args(argv)
    model = onnx.load(args.input)
    try:
        exclude = tuple(x for x in args.exclude.split(",") if x)
        q, done = quantise_model(model, not args.per_tensor, args.reduce_range, args.format, args.min_elements, exclude)
    except QuantiseError as e:
        print(f"quantize: {e}", file=sys.stderr)
        return 2
    with open(args.output, "wb") as f:
        f.write(q.SerializeToString())
    print(f"quantised {len(done)} matrix products: {', '.join(done)} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
