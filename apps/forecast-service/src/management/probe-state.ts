/**
 * The state the management listener reads, shared between the HTTP thread (writer) and the
 * management thread (reader) through a SharedArrayBuffer: no message has to be received — and no
 * event loop has to turn — for the reader to see the latest values.
 */
import type { ProbeSnapshot } from './probe-answer.js';

const DRAINING = 0;
const WORKERS_READY = 1;
const BEAT_AT = 2;

export class ProbeState {
  readonly buffer: SharedArrayBuffer;
  readonly #cells: BigInt64Array;

  constructor(buffer = new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#cells = new BigInt64Array(buffer);
  }

  write(snapshot: ProbeSnapshot): void {
    Atomics.store(this.#cells, WORKERS_READY, BigInt(snapshot.workersReady));
    Atomics.store(this.#cells, DRAINING, snapshot.draining ? 1n : 0n);
    Atomics.store(this.#cells, BEAT_AT, BigInt(Math.round(snapshot.beatAt)));
  }

  read(): ProbeSnapshot {
    return {
      draining: Atomics.load(this.#cells, DRAINING) === 1n,
      workersReady: Number(Atomics.load(this.#cells, WORKERS_READY)),
      beatAt: Number(Atomics.load(this.#cells, BEAT_AT)),
    };
  }
}
