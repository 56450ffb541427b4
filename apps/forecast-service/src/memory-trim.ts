/**
 * Returning a load peak's freed native memory once the service goes quiet (issue 13 §1: "RSS
 * returns within 25 % of its idle level after a load test").
 *
 * The growth after a peak is glibc's: the worker threads' malloc arenas keep the freed chunks of
 * the largest micro-batches (onnxruntime's tensors, the harness's buffers) resident, fragmented,
 * so glibc's own trimming of an arena's top rarely releases them. `malloc_trim(0)` walks every
 * arena and gives their free pages back; Node has no call to it, so a tiny addon provides it
 * (native/malloc-trim, built by `make setup`). Without the addon — not built, or not glibc —
 * the service runs as before.
 *
 * When: after `quietMs` without a forecast request finishing, with none in flight, and only if
 * some finished since the last trim. Never under load — a trim then would hand back pages the next
 * batch faults in again — and at most once per quiet spell.
 */
import { createRequire } from 'node:module';

/** glibc's malloc_trim(0): true when memory went back to the kernel. */
export type TrimFn = () => boolean;

const ADDON = '../native/malloc-trim/build/Release/malloc_trim.node';

/** The addon's trim, or null (with why) when it is missing or does nothing on this platform. */
export function loadMallocTrim(): { trim: TrimFn } | { trim: null; reason: string } {
  try {
    const addon = createRequire(import.meta.url)(ADDON) as { mallocTrim: TrimFn; supported: () => boolean };
    if (!addon.supported()) return { trim: null, reason: 'not glibc: malloc_trim does not exist here' };
    return { trim: addon.mallocTrim };
  } catch (error) {
    return {
      trim: null,
      reason: `the malloc_trim addon is not built (make setup: scripts/build-malloc-trim.sh): ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

export interface MemoryTrimOptions {
  readonly trim: TrimFn;
  /** Quiet spell before trimming (ms): no request finished and none in flight. */
  readonly quietMs: number;
  /** Requests in flight now (admission's count). */
  readonly inFlight: () => number;
  /** Told after every trim (metrics, log). */
  readonly onTrim?: (released: boolean, ms: number) => void;
}

/** Default quiet spell before a trim. */
export const DEFAULT_TRIM_QUIET_MS = 2_000;

export class MemoryTrimmer {
  readonly #options: MemoryTrimOptions;
  #timer: NodeJS.Timeout | null = null;
  /** Requests finished since the last trim. */
  #finished = 0;
  #trims = 0;

  constructor(options: MemoryTrimOptions) {
    if (!(options.quietMs > 0)) throw new RangeError(`quietMs must be > 0, got ${options.quietMs}`);
    this.#options = options;
  }

  /** Trims done so far. */
  get trims(): number {
    return this.#trims;
  }

  /** A forecast request finished (served or not): the quiet spell starts again. */
  requestFinished(): void {
    this.#finished++;
    if (this.#timer !== null) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => this.#quiet(), this.#options.quietMs);
    // A pending trim never keeps the process (or a test) alive.
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #quiet(): void {
    this.#timer = null;
    // Requests still in flight (a long forecast, a slow upload) will finish and re-arm the timer.
    if (this.#options.inFlight() > 0 || this.#finished === 0) return;
    this.#finished = 0;
    const started = performance.now();
    const released = this.#options.trim();
    this.#trims++;
    this.#options.onTrim?.(released, performance.now() - started);
  }
}
