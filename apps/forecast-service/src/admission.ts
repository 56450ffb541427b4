/**
 * Admission before the body is read: a forecast request is refused (429 + Retry-After) when the
 * requests already in flight would make it miss its latency budget, so overload costs a header
 * parse per refused request instead of a JSON parse, a validation and a queue slot.
 *
 * Prediction (Little's law per request): a request admitted behind `p` others finishes after about
 * (p + 1) × c ms, where c — the server time one queue position costs — is learned from every
 * served request as its service time (from its body having arrived to its answer) / (the jobs
 * already running when it started + 1), exponentially weighted. Under saturation that is
 * 1 / throughput, micro-batching included (a longer queue forms larger, cheaper batches, and c
 * falls with it); at light load it overestimates, which only makes a burst's first moments
 * conservative. Below `minInFlight` nothing is refused: an idle worker never turns work away.
 *
 * Why service time and not the whole latency: the upload of the body is the client's. A load
 * generator busy sending refused bodies delivers admitted ones late; counting that delay taught
 * admission that the server was slow, it refused more, the client sent more refused bodies —
 * a feedback loop that held two idle workers at 30 answers a second (measured before this rule).
 *
 * A latency quantile, not a mean: the prediction is an average, so admitting every request whose
 * prediction fits the budget sends a good share of them over it (measured on the issue's 50-
 * connection load: served p50 184 ms, p99 309 ms against a 200 ms budget). Admission therefore
 * compares the prediction with threshold × budget, and the threshold follows the served requests'
 * outcomes the way adaptive conformal inference follows coverage (Gibbs & Candès 2021): after each
 * served request it moves by step × (overBudgetRate − 1{its service time exceeded its budget}), so
 * over n served requests the share over budget is within (1 − MIN_THRESHOLD + step) / (step × n)
 * of `overBudgetRate` whatever the prediction's bias — provided the requests admitted below
 * `minInFlight` (admitted whatever the prediction) can meet the budget at all. The outcome is
 * the service time, as for c, so that a client uploading slowly cannot make admission refuse
 * others. The threshold stays in [MIN_THRESHOLD, 1]: never more optimistic than the mean
 * prediction (the rule before it); overBudgetRate = 1 keeps it at 1, that rule. Below 0 it
 * admits nothing beyond minInFlight until enough requests have kept their budget.
 *
 * Memory is bounded apart from time: the bodies of admitted requests are held whole (up to the
 * body limit each) until their job ends, and before the first served request nothing has been
 * learned, so 1024 admitted 8 MiB bodies would have been 8 GiB. Each request is charged its
 * Content-Length (the body limit when it is chunked) against `maxBytesInFlight`, even below
 * `minInFlight`; a request arriving when nothing is in flight is always admitted.
 */
export interface AdmissionOptions {
  /** Requests always admitted while fewer are in flight (at least the worker count). */
  readonly minInFlight: number;
  /** Hard cap on requests in flight, whatever the prediction. */
  readonly maxInFlight: number;
  /** Cap on the request bodies admitted and not yet answered, in bytes (default: none). */
  readonly maxBytesInFlight?: number;
  /** Weight of the newest completion in c (default 0.05: about the last 20 completions). */
  readonly weight?: number;
  /** Fraction of served requests whose service time may exceed their budget, in (0, 1] (default 0.01). */
  readonly overBudgetRate?: number;
  /** How far one served request moves the threshold (default 0.1 of the budget). */
  readonly thresholdStep?: number;
  /** Clock in ms (injected by tests). */
  readonly now?: () => number;
}

export interface Ticket {
  /** Requests in flight when this one was admitted. */
  readonly position: number;
  /** Body bytes charged to it (released by complete()). */
  readonly bytes: number;
  /** The latency budget it was admitted under (ms). */
  readonly budgetMs: number;
  /** Set by start(): jobs already running, and when this one started. */
  jobsAhead: number | null;
  startedAt: number;
}

export type AdmissionDecision =
  | { readonly admitted: true; readonly ticket: Ticket }
  | {
      readonly admitted: false;
      readonly predictedMs: number;
      readonly retryAfterSeconds: number;
      readonly reason: string;
    };

/**
 * The lowest the threshold goes. At or below 0 only requests below minInFlight are admitted;
 * going below 0 keeps the debt of a queue's correlated misses (one slow job makes every request
 * behind it late), which the bound needs — clipped at 0, a simulated queue missed 1.5 % against
 * 1 %. −1 caps the way back from a burst at 1 / (step × overBudgetRate) served requests.
 */
export const MIN_THRESHOLD = -1;

export class Admission {
  readonly minInFlight: number;
  readonly maxInFlight: number;
  readonly maxBytesInFlight: number;
  readonly weight: number;
  readonly overBudgetRate: number;
  readonly thresholdStep: number;
  readonly #now: () => number;
  #inFlight = 0;
  #bytesInFlight = 0;
  #running = 0;
  /** ms per queue position; null until the first completion. */
  #positionMs: number | null = null;
  /** The fraction of its budget a request's prediction may reach and still be admitted. */
  #threshold = 1;

  constructor(options: AdmissionOptions) {
    if (!(Number.isInteger(options.minInFlight) && options.minInFlight >= 1))
      throw new RangeError(`minInFlight must be an integer ≥ 1, got ${options.minInFlight}`);
    if (!(Number.isInteger(options.maxInFlight) && options.maxInFlight >= options.minInFlight))
      throw new RangeError(`maxInFlight must be an integer ≥ minInFlight, got ${options.maxInFlight}`);
    this.minInFlight = options.minInFlight;
    this.maxInFlight = options.maxInFlight;
    this.maxBytesInFlight = options.maxBytesInFlight ?? Number.POSITIVE_INFINITY;
    if (!(this.maxBytesInFlight > 0))
      throw new RangeError(`maxBytesInFlight must be > 0, got ${options.maxBytesInFlight}`);
    this.weight = options.weight ?? 0.05;
    this.overBudgetRate = options.overBudgetRate ?? 0.01;
    if (!(this.overBudgetRate > 0 && this.overBudgetRate <= 1))
      throw new RangeError(`overBudgetRate must be in (0, 1], got ${options.overBudgetRate}`);
    this.thresholdStep = options.thresholdStep ?? 0.1;
    if (!(this.thresholdStep > 0 && this.thresholdStep <= 1))
      throw new RangeError(`thresholdStep must be in (0, 1], got ${options.thresholdStep}`);
    this.#now = options.now ?? (() => performance.now());
  }

  /** Admitted and not yet answered (bodies still arriving included). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Body bytes charged to the requests in flight. */
  get bytesInFlight(): number {
    return this.#bytesInFlight;
  }

  /** Admitted requests whose body has arrived and whose job is running. */
  get running(): number {
    return this.#running;
  }

  /** The learned cost of one queue position (ms), null before any completion. */
  get positionMs(): number | null {
    return this.#positionMs;
  }

  /** The fraction of the budget a prediction may reach, learned from served requests' outcomes. */
  get threshold(): number {
    return this.#threshold;
  }

  /** Predicted latency of a request admitted now (0 before anything was learned). */
  predictMs(): number {
    return (this.#inFlight + 1) * (this.#positionMs ?? 0);
  }

  /** Admit a request that must finish within `budgetMs` and brings `bytes` of body, or say why not. */
  tryAdmit(budgetMs: number, bytes = 0): AdmissionDecision {
    const position = this.#inFlight;
    if (position >= this.maxInFlight) {
      return this.#refuse(`${position} requests in flight (limit ${this.maxInFlight})`, budgetMs);
    }
    if (position > 0 && this.#bytesInFlight + bytes > this.maxBytesInFlight) {
      return this.#refuse(
        `${this.#bytesInFlight} bytes of request bodies in flight (limit ${this.maxBytesInFlight}, this one brings ${bytes})`,
        budgetMs,
      );
    }
    if (position >= this.minInFlight) {
      const predicted = this.predictMs();
      const limit = this.#threshold * budgetMs;
      if (predicted > limit) {
        const over =
          this.#threshold === 1
            ? `over the ${budgetMs} ms budget`
            : `over ${Math.max(0, Math.round(limit))} ms (the ${budgetMs} ms budget less the margin that keeps at most ` +
              `${this.overBudgetRate * 100} % of served requests over it)`;
        return this.#refuse(
          `${position} requests in flight would take about ${Math.round(predicted)} ms, ${over}`,
          budgetMs,
        );
      }
    }
    this.#inFlight++;
    this.#bytesInFlight += bytes;
    return { admitted: true, ticket: { position, bytes, budgetMs, jobsAhead: null, startedAt: 0 } };
  }

  /** The request's body arrived and its job starts. */
  start(ticket: Ticket): void {
    if (ticket.jobsAhead !== null) return;
    ticket.jobsAhead = this.#running;
    ticket.startedAt = this.#now();
    this.#running++;
  }

  /**
   * The request is over; `served` (a 200) teaches the cost of a queue position and moves the
   * threshold by whether its service time (body arrived → answer, as c counts it) kept its budget.
   */
  complete(ticket: Ticket, served: boolean): void {
    this.#inFlight--;
    this.#bytesInFlight -= ticket.bytes;
    if (ticket.jobsAhead === null) return;
    this.#running--;
    if (!served) return;
    const serviceMs = this.#now() - ticket.startedAt;
    const over = serviceMs > ticket.budgetMs ? 1 : 0;
    this.#threshold = Math.min(
      1,
      Math.max(MIN_THRESHOLD, this.#threshold + this.thresholdStep * (this.overBudgetRate - over)),
    );
    const sample = serviceMs / (ticket.jobsAhead + 1);
    this.#positionMs =
      this.#positionMs === null ? sample : this.#positionMs + this.weight * (sample - this.#positionMs);
  }

  #refuse(reason: string, budgetMs: number): AdmissionDecision {
    const predictedMs = this.predictMs();
    // Come back when the queue ahead has drained below the limit: at least a second (the header's unit).
    const retryAfterSeconds = Math.max(1, Math.ceil((predictedMs - Math.max(0, this.#threshold) * budgetMs) / 1000));
    return { admitted: false, predictedMs, retryAfterSeconds, reason };
  }
}
