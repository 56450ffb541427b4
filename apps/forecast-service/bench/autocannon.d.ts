// autocannon 8 ships no type declarations (and no @types package is installed); this is the part
// of its documented API (README "API" and "Results") the load bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface Histogram {
    readonly average: number;
    readonly mean: number;
    readonly stddev: number;
    readonly min: number;
    readonly max: number;
    readonly total: number;
    readonly p50: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly p99_9: number;
  }
  export interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly duration?: number;
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | Buffer;
    readonly timeout?: number;
    readonly pipelining?: number;
    readonly title?: string;
  }
  export interface Result {
    readonly title?: string;
    readonly url: string;
    readonly requests: Histogram & { readonly sent: number };
    readonly latency: Histogram;
    readonly throughput: Histogram;
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly resets: number;
    readonly connections: number;
    readonly statusCodeStats: Record<string, { readonly count: number }>;
    readonly start: Date;
    readonly finish: Date;
  }
  /**
   * The running test: a promise of its result that also emits
   * `response` (client, statusCode, resBytes, responseTimeMs) for every response.
   */
  export interface Instance extends EventEmitter, PromiseLike<Result> {}
  function autocannon(options: Options): Instance;
  export default autocannon;
}
