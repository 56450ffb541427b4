/**
 * fleet.arrow: an Arrow IPC file, one record batch per tenant, columns
 *   tenant (dictionary<int32, utf8>) · timestamp (timestamp[ms, UTC]) · cpu · mem · net · disk (float32).
 *
 * The tenant dictionary holds every tenant id and is written once, before the first batch:
 * the ids are known from the manifest up front, and the IPC *file* format does not allow
 * dictionary replacement (pyarrow rejects it), so a per-batch dictionary would not be readable.
 * The timestamp column is the same for every tenant and built once.
 */
import {
  AsyncByteQueue,
  Dictionary,
  Field,
  Float32,
  Int32,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
  type Data,
  type Vector,
} from 'apache-arrow';
import { FileSink } from './file-sink.js';
import { METRICS, type Tenant } from './series.js';

export const TENANT_DICTIONARY_ID = 0;

export function fleetArrowSchema(): Schema {
  return new Schema(
    [
      new Field('tenant', new Dictionary(new Utf8(), new Int32(), TENANT_DICTIONARY_ID, false), false),
      new Field('timestamp', new TimestampMillisecond('UTC'), false),
      ...METRICS.map((m) => new Field(m, new Float32(), false)),
    ],
    new Map([['tsfm.fleet', 'one record batch per tenant; see manifest.json']]),
  );
}

/** Hands the Arrow writer's bytes straight to a FileSink (see file-sink.ts for why synchronous). */
class ArrowFileSink extends AsyncByteQueue {
  constructor(private readonly sink: FileSink) {
    super();
  }
  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    const bytes =
      value instanceof Uint8Array
        ? value
        : new Uint8Array(
            (value as ArrayBufferView).buffer,
            (value as ArrayBufferView).byteOffset,
            (value as ArrayBufferView).byteLength,
          );
    this.sink.write(bytes);
  }
}

export interface FleetArrowWriterOptions {
  readonly path: string;
  readonly tenantIds: readonly string[];
  readonly start: number;
  readonly stepMs: number;
  readonly length: number;
}

export class FleetArrowWriter {
  private readonly sink: FileSink;
  private readonly writer: RecordBatchFileWriter;
  private readonly schema = fleetArrowSchema();
  private readonly structType: Struct;
  private readonly dictionary: Vector<Utf8>;
  private readonly dictionaryType: Dictionary<Utf8, Int32>;
  private readonly timestamps: Data<TimestampMillisecond>;
  private readonly indices: Int32Array;
  private readonly indexOf: Map<string, number>;
  private written = 0;

  constructor(private readonly options: FleetArrowWriterOptions) {
    this.sink = new FileSink(options.path);
    this.writer = new RecordBatchFileWriter();
    this.writer.reset(new ArrowFileSink(this.sink), this.schema);
    this.structType = new Struct(this.schema.fields);
    this.dictionaryType = this.schema.fields[0].type as Dictionary<Utf8, Int32>;
    this.dictionary = vectorFromArray([...options.tenantIds], new Utf8());
    this.indexOf = new Map(options.tenantIds.map((id, i) => [id, i]));
    const ts = new BigInt64Array(options.length);
    for (let i = 0; i < options.length; i++) ts[i] = BigInt(options.start + i * options.stepMs);
    this.timestamps = makeData({
      type: new TimestampMillisecond('UTC'),
      length: options.length,
      nullCount: 0,
      data: ts,
    });
    // One index buffer, refilled per tenant: safe because each batch is on disk before write() returns.
    this.indices = new Int32Array(options.length);
  }

  /** Append one tenant as a record batch. Tenants must be on the writer's grid. */
  write(tenant: Tenant): void {
    const index = this.indexOf.get(tenant.id);
    if (index === undefined) throw new Error(`tenant "${tenant.id}" is not in the fleet's tenant list`);
    if (tenant.start !== this.options.start || tenant.stepMs !== this.options.stepMs) {
      throw new Error(`tenant "${tenant.id}" is not on the fleet grid`);
    }
    const n = this.options.length;
    this.indices.fill(index);
    const children: Data[] = [
      makeData({ type: this.dictionaryType, length: n, nullCount: 0, data: this.indices, dictionary: this.dictionary }),
      this.timestamps,
    ];
    for (const m of METRICS) {
      const values = tenant.metrics[m];
      if (!values || values.length !== n) throw new Error(`tenant "${tenant.id}" metric "${m}" must have ${n} values`);
      children.push(makeData({ type: new Float32(), length: n, nullCount: 0, data: values }));
    }
    const data = makeData({ type: this.structType, length: n, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, data));
    this.written++;
  }

  get tenantsWritten(): number {
    return this.written;
  }

  get bytesWritten(): number {
    return this.sink.bytesWritten;
  }

  /** Write the footer and close (fsync first when `durable`). */
  close(durable = false): void {
    this.writer.close();
    this.sink.close(durable);
  }

  abandon(): void {
    this.sink.abandon();
  }
}
