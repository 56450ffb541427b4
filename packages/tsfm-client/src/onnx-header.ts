/**
 * Reads the two header facts the contract checks before ORT sees the file: the IR version and the
 * opset imports of an ONNX ModelProto. ORT's own error for a too-new opset is a C++ source path
 * and a truncated sentence; reading the header ourselves lets the client say "opset 27 > 26".
 *
 * Only top-level fields are walked (the graph, which holds the weights, is one length-delimited
 * field and is skipped in O(1)), so this is cheap even for a multi-gigabyte model.
 */

/** Highest default-domain opset onnxruntime-node 1.30 loads (27 is refused at session creation). */
export const MAX_SUPPORTED_OPSET = 26;

export interface OnnxHeader {
  readonly irVersion: number;
  /** domain → version; the default domain is stored under ''. */
  readonly opsets: ReadonlyMap<string, number>;
}

/** Throws a plain Error with a reason when the bytes are not a well-formed ModelProto header. */
export function readOnnxHeader(bytes: Uint8Array): OnnxHeader {
  const reader = new ProtoReader(bytes, 0, bytes.length);
  let irVersion = -1;
  const opsets = new Map<string, number>();
  while (!reader.done()) {
    const key = reader.varint();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === 0) {
      irVersion = reader.varint();
    } else if (field === 8 && wire === 2) {
      const len = reader.varint();
      const sub = reader.sub(len);
      let domain = '';
      let version = -1;
      while (!sub.done()) {
        const k = sub.varint();
        if (k === (1 << 3) + 2) domain = sub.string(sub.varint());
        else if (k === (2 << 3) + 0) version = sub.varint();
        else sub.skip(k & 7);
      }
      opsets.set(domain === 'ai.onnx' ? '' : domain, version);
    } else {
      reader.skip(wire);
    }
  }
  if (irVersion < 0) throw new Error('no ir_version field: not an ONNX ModelProto');
  if (opsets.size === 0) throw new Error('no opset_import field: not an ONNX ModelProto');
  return { irVersion, opsets };
}

class ProtoReader {
  private pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Varints above 2^53 do not occur in the fields read here; they are rejected, not rounded. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error(`truncated varint at byte ${this.pos}`);
      const b = this.bytes[this.pos++];
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new Error(`varint overflow at byte ${this.pos}`);
        return result;
      }
      scale *= 128;
    }
    throw new Error(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  sub(len: number): ProtoReader {
    if (this.pos + len > this.end) throw new Error(`field of ${len} bytes overruns the message at byte ${this.pos}`);
    const r = new ProtoReader(this.bytes, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  string(len: number): string {
    const r = this.sub(len);
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(r.pos, r.end));
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.advance(this.varint());
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new Error(`unsupported protobuf wire type ${wire} at byte ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new Error(`field of ${n} bytes overruns the message at byte ${this.pos}`);
    this.pos += n;
  }
}
