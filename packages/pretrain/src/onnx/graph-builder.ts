/**
 * A small builder for static ONNX inference graphs: float32 / int64 initialisers, nodes with
 * attributes, graph inputs and outputs with symbolic (named) dimensions, serialised to ModelProto
 * bytes. Names are checked as nodes are added so a dangling edge fails here, at build time, with
 * the tensor name, instead of as an opaque onnxruntime load error.
 */
import { AttributeType, DataType, ModelProto, type DataTypeCode } from './onnx-proto.js';

export type AttrValue = number | string | number[] | { ints: number[] } | { floats: number[] };
export type Dim = number | string;

interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  dims: readonly Dim[];
}

export interface ModelOptions {
  /** ONNX IR version; 8 is accepted by every onnxruntime since 1.10. */
  irVersion?: number;
  opset?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export class OnnxGraphError extends Error {
  override name = 'OnnxGraphError';
}

export class GraphBuilder {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly known = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** Declares a graph input, e.g. `addInput('context', [ 'batch', 512 ])`. */
  addInput(name: string, dims: readonly Dim[], elemType: DataTypeCode = DataType.FLOAT): string {
    this.claim(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Marks an existing tensor as a graph output. */
  addOutput(name: string, dims: readonly Dim[], elemType: DataTypeCode = DataType.FLOAT): void {
    if (!this.known.has(name)) throw new OnnxGraphError(`output '${name}' is not produced by any node`);
    this.outputs.push({ name, elemType, dims });
  }

  /** Adds a float32 constant; returns its tensor name. */
  addInitializer(data: Float32Array, dims: readonly number[], name?: string): string {
    const n = name ?? this.fresh('w');
    checkSize(n, data.length, dims);
    this.claim(n);
    // raw_data is little-endian by spec; copy so the bytes cannot alias a larger buffer.
    const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name: n, dims: [...dims], dataType: DataType.FLOAT, rawData: assertLittleEndian(bytes) });
    return n;
  }

  /** Adds an int64 constant (shapes, axes); returns its tensor name. */
  addInt64Initializer(values: readonly number[], dims: readonly number[] = [values.length], name?: string): string {
    const n = name ?? this.fresh('i');
    checkSize(n, values.length, dims);
    this.claim(n);
    const big = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({
      name: n,
      dims: [...dims],
      dataType: DataType.INT64,
      rawData: assertLittleEndian(new Uint8Array(big.buffer)),
    });
    return n;
  }

  /** Adds a node with one output; returns the output name. */
  addNode(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, AttrValue> = {},
    outputName?: string,
  ): string {
    for (const i of inputs) {
      if (i !== '' && !this.known.has(i)) throw new OnnxGraphError(`${opType}: input '${i}' is not defined yet`);
    }
    const out = outputName ?? this.fresh(opType.toLowerCase());
    this.claim(out);
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttr(k, v)),
    });
    return out;
  }

  /** Serialises the graph to ModelProto bytes. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    if (this.outputs.length === 0) throw new OnnxGraphError('graph has no outputs');
    const model = {
      irVersion: options.irVersion ?? 8,
      opsetImport: [{ domain: '', version: options.opset ?? 17 }],
      producerName: options.producerName ?? '@tsfm/pretrain',
      producerVersion: options.producerVersion ?? '0.1.0',
      docString: options.docString ?? '',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    const err = ModelProto.verify(model);
    if (err) throw new OnnxGraphError(`ModelProto does not verify: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  private claim(name: string): void {
    if (this.known.has(name)) throw new OnnxGraphError(`tensor name '${name}' is already used`);
    this.known.add(name);
  }

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.known.has(n));
    return n;
  }
}

function valueInfo(v: ValueInfo): object {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType,
        shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function encodeAttr(name: string, v: AttrValue): object {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    // Integral numbers are INT attributes (axis, transB, reverse); pass { floats: [x] } style
    // objects for float lists. A float scalar attribute is written with a fractional marker below.
    return Number.isInteger(v) ? { name, type: AttributeType.INT, i: v } : { name, type: AttributeType.FLOAT, f: v };
  }
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('ints' in v) return { name, type: AttributeType.INTS, ints: v.ints };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

function checkSize(name: string, length: number, dims: readonly number[]): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== length)
    throw new OnnxGraphError(`initializer '${name}': ${length} values for dims [${dims.join(', ')}]`);
}

function assertLittleEndian(bytes: Uint8Array): Uint8Array {
  // Typed arrays use platform byte order; every platform onnxruntime-node ships for is LE.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
    throw new OnnxGraphError('big-endian hosts are not supported');
  return bytes;
}
