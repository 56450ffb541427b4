"""Rewrites of the exported ONNX graph that keep what it computes but make ONNX Runtime cheaper.

    /usr/bin/python3 -m tsfm_v2.graph_passes IN.onnx OUT.onnx

Applied by export_onnx (train.py) after every torch.onnx.export, so the trainer's export, the
calibrated re-export (`python3 -m tsfm_v2.export`) and the shipped `model/default.onnx` are the
same graph; the command line applies it to an export made before the pass existed.

decompose_softplus: each `Softplus(x)` becomes

    Relu(x) + Log(Exp(Neg(Abs(x))) + 1)

which is the formula ONNX Runtime's own Softplus kernel evaluates (x + log(exp(−x) + 1) for
x > 0, log(exp(x) + 1) otherwise), so it cannot overflow. Why: ORT fuses the model's
`/incr/Gemm → Softplus` into a FusedGemm whose activation is a scalar std::exp/std::log loop
over 960 × 768 values (~10 ms of a 960-row run on one thread); the separate Exp, Log, Abs, Relu
and Add kernels are vectorised (MLAS). The results are not bit-identical to the fused kernel
(different exp/log approximations): the model's outputs move by at most a few 1e-7 of a row's
largest value (model card).

Refuses (GraphPassError) a graph with neither a Softplus nor an already decomposed one, and a
Softplus it does not expect: not in the default domain, with attributes, in a subgraph, with
other than one input and one output, or on a non-float32 tensor. A graph already decomposed
is returned unchanged (the pass is idempotent), and the same input bytes give the same output
bytes (nodes in graph order, names derived from the Softplus node's name, no timestamps).
Opset and IR version are left as they are (opset 17 / IR 8 for the v2 model).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# The ops of one decomposed Softplus, in the order they are written, and their name suffixes.
_STEPS = ("Abs", "Neg", "Exp", "AddOne", "Log", "Relu", "Add")


class GraphPassError(Exception):
    pass


def _float_inputs(model: onnx.ModelProto) -> dict[str, int]:
    """Element type of every tensor shape inference can type (graph inputs, outputs, intermediates)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    g = inferred.graph
    out: dict[str, int] = {}
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.HasField("tensor_type"):
            out[v.name] = v.type.tensor_type.elem_type
    for i in g.initializer:
        out[i.name] = i.data_type
    return out


def _subgraph_softplus(graph: onnx.GraphProto) -> list[str]:
    found = []
    for node in graph.node:
        for a in node.attribute:
            subs = [a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)
            for sg in subs:
                found += [n.name or n.output[0] for n in sg.node if n.op_type == "Softplus"]
                found += _subgraph_softplus(sg)
    return found


def _is_decomposed(graph: onnx.GraphProto) -> bool:
    """True iff some node is the final Add of a decomposition this pass wrote (names and wiring)."""
    by_output = {o: n for n in graph.node for o in n.output}
    inits = {i.name: i for i in graph.initializer}
    for node in graph.node:
        if node.op_type != "Add" or not node.name.endswith("/decomposed/Add"):
            continue
        base = node.name[: -len("/Add")]
        relu, log = (by_output.get(i) for i in node.input)
        if relu is None or log is None or relu.op_type != "Relu" or log.op_type != "Log":
            continue
        add1 = by_output.get(log.input[0])
        if add1 is None or add1.name != f"{base}/AddOne" or add1.input[1] not in inits:
            continue
        if float(numpy_helper.to_array(inits[add1.input[1]])) != 1.0:
            continue
        exp = by_output.get(add1.input[0])
        neg = by_output.get(exp.input[0]) if exp is not None and exp.op_type == "Exp" else None
        ab = by_output.get(neg.input[0]) if neg is not None and neg.op_type == "Neg" else None
        if ab is not None and ab.op_type == "Abs" and ab.input[0] == relu.input[0]:
            return True
    return False


def decompose_softplus(model: onnx.ModelProto) -> tuple[onnx.ModelProto, int]:
    """Returns a copy with every Softplus decomposed, and how many were (0: already decomposed)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    nested = _subgraph_softplus(graph)
    if nested:
        raise GraphPassError(f"Softplus inside a subgraph (not handled): {', '.join(nested)}")
    softplus = [n for n in graph.node if n.op_type == "Softplus"]
    if not softplus:
        if _is_decomposed(graph):
            return model, 0
        raise GraphPassError("no Softplus node in the graph (and no decomposed one): not the expected export")
    types = _float_inputs(model)
    names = {n.name for n in graph.node} | {o for n in graph.node for o in n.output}
    names |= {i.name for i in graph.initializer} | {i.name for i in graph.input}
    for node in softplus:
        label = node.name or node.output[0]
        if node.domain not in ("", "ai.onnx"):
            raise GraphPassError(f"{label}: Softplus in domain {node.domain!r}, expected the default domain")
        if len(node.input) != 1 or len(node.output) != 1 or len(node.attribute) != 0:
            raise GraphPassError(f"{label}: expected one input, one output and no attributes")
        if types.get(node.input[0]) != TensorProto.FLOAT:
            raise GraphPassError(f"{label}: input {node.input[0]!r} is not a float32 tensor")

    new_nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        if node.op_type != "Softplus":
            new_nodes.append(node)
            continue
        base = f"{node.name or node.output[0]}/decomposed"
        x, y = node.input[0], node.output[0]
        t = {s: f"{base}/{s}_output_0" for s in _STEPS}
        one = f"{base}/one"
        clash = sorted(n for n in [one, *t.values(), *(f"{base}/{s}" for s in _STEPS)] if n in names)
        if clash:
            raise GraphPassError(f"{node.name}: names already in the graph: {', '.join(clash)}")
        graph.initializer.append(numpy_helper.from_array(np.array(1.0, dtype=np.float32), one))
        new_nodes += [
            helper.make_node("Abs", [x], [t["Abs"]], name=f"{base}/Abs"),
            helper.make_node("Neg", [t["Abs"]], [t["Neg"]], name=f"{base}/Neg"),
            helper.make_node("Exp", [t["Neg"]], [t["Exp"]], name=f"{base}/Exp"),
            helper.make_node("Add", [t["Exp"], one], [t["AddOne"]], name=f"{base}/AddOne"),
            helper.make_node("Log", [t["AddOne"]], [t["Log"]], name=f"{base}/Log"),
            helper.make_node("Relu", [x], [t["Relu"]], name=f"{base}/Relu"),
            helper.make_node("Add", [t["Relu"], t["Log"]], [y], name=f"{base}/Add"),
        ]
    del graph.node[:]
    graph.node.extend(new_nodes)
    onnx.checker.check_model(model)
    return model, len(softplus)


def apply_export_passes(path: str) -> int:
    """The passes every export gets, in place on the file torch.onnx.export wrote; returns the Softplus count."""
    model, n = decompose_softplus(onnx.load(path))
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input")
    p.add_argument("output")
    args = p.parse_args(argv)
    try:
        model, n = decompose_softplus(onnx.load(args.input))
    except GraphPassError as e:
        print(f"graph_passes: {e}", file=sys.stderr)
        return 2
    with open(args.output, "wb") as f:
        f.write(model.SerializeToString())
    print(f"decomposed {n} Softplus node(s) -> {args.output}" if n else f"already decomposed -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
