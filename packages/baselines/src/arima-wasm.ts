/**
 * A private instance of the `arima` package's WASM module (ctsa's C auto.arima / SARIMA).
 *
 * Why not `require('arima')`: its shared module instance prints the C optimizer's diagnostics
 * ("Program Exiting as the function value exceeds the maximum double value", "non-stationary AR
 * part") with console.log — straight into the evaluation table on stdout. Instantiating the same
 * module with `print`/`printErr` silenced keeps stdout clean; the fit and predict entry points
 * and their argument lists are exactly those of the package's load.js.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: unknown[]) => number;
  HEAPF64: Float64Array;
}

export interface SarimaOrder {
  readonly p: number;
  readonly d: number;
  readonly q: number;
  readonly P: number;
  readonly D: number;
  readonly Q: number;
  readonly s: number;
}

export interface ArimaRun {
  readonly point: Float64Array;
  /** The C code's h-step forecast variance (mean squared error) per step. */
  readonly mse: Float64Array;
}

let bindings:
  | {
      fitAuto: (...a: unknown[]) => number;
      predictAuto: (...a: unknown[]) => number;
      fitFixed: (...a: unknown[]) => number;
      predictFixed: (...a: unknown[]) => number;
      freeAuto: (...a: unknown[]) => number;
      freeFixed: (...a: unknown[]) => number;
      freeResult: (...a: unknown[]) => number;
      heap: () => Float64Array;
    }
  | undefined;

function load(): NonNullable<typeof bindings> {
  if (bindings) return bindings;
  // The package's "exports" map hides these files; resolving them by path from its main entry
  // reaches the same files load.js uses.
  const dir = dirname(require.resolve('arima'));
  const factory = require(join(dir, 'wasm/native-sync.js')) as (o: object) => EmscriptenModule;
  const wasmBinary = require(join(dir, 'wrapper/native.bin.js')) as Uint8Array;
  const silent = (): void => undefined;
  const m = factory({ wasmBinary, print: silent, printErr: silent });
  const n = 'number';
  bindings = {
    fitAuto: m.cwrap('fit_autoarima', n, ['array', 'array', n, n, n, n, n, n, n, n, n, n, n, n, n, 'boolean']),
    predictAuto: m.cwrap('predict_autoarima', n, [n, 'array', 'array', 'array', n]),
    fitFixed: m.cwrap('fit_sarimax', n, ['array', 'array', n, n, n, n, n, n, n, n, n, n, n, 'boolean']),
    predictFixed: m.cwrap('predict_sarimax', n, [n, 'array', 'array', 'array', n]),
    freeAuto: m.cwrap('free_autoarima', null, [n]),
    freeFixed: m.cwrap('free_sarimax', null, [n]),
    freeResult: m.cwrap('free_result', null, [n]),
    // HEAPF64 is replaced when the WASM memory grows; always read it fresh.
    heap: () => m.HEAPF64,
  };
  return bindings;
}

const bytes = (values: ArrayLike<number>): Uint8Array => new Uint8Array(Float64Array.from(values).buffer);

/**
 * Fit (auto: the orders are search caps; fixed: the orders themselves) and forecast `horizon`
 * steps. Method 0 (exact ML), optimizer 6 (L-BFGS), approximation and stepwise search on, as the
 * package defaults.
 */
export function runArima(y: Float64Array, horizon: number, order: SarimaOrder, auto: boolean): ArimaRun {
  const b = load();
  const ts = bytes(y);
  const none = bytes([]);
  const { p, d, q, P, D, Q, s } = order;
  const model = auto
    ? b.fitAuto(ts, none, p, d, q, P, D, Q, s, 0, y.length, 0, 6, 1, 1, false)
    : b.fitFixed(ts, none, p, d, q, P, D, Q, s, 0, y.length, 0, 6, false);
  try {
    const addr = auto ? b.predictAuto(model, ts, none, none, horizon) : b.predictFixed(model, ts, none, none, horizon);
    const base = addr / Float64Array.BYTES_PER_ELEMENT;
    const heap = b.heap();
    const point = heap.slice(base, base + horizon);
    const mse = heap.slice(base + horizon, base + 2 * horizon);
    b.freeResult(addr);
    return { point, mse };
  } finally {
    if (auto) b.freeAuto(model);
    else b.freeFixed(model);
  }
}
