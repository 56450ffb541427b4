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
 * connection load: 14–18 % of the served over the 200 ms budget on the server's own clock, client
 * p99 287–328 ms). Admission therefore inflates the prediction by a factor f ≥ 1 — the prediction's
 * relative error at the wanted quantile — and admits when f × prediction fits the budget. f follows
 * the served requests' outcomes the way adaptive conformal inference follows coverage (Gibbs &
 * Candès 2021): after each request the rule admitted (not those admitted below `minInFlight`,
 * which come in whatever f is) and that was served, f moves by step × (1{its service time
 * exceeded its budget} − overBudgetRate), so over n such requests the share over budget is at
 * most `overBudgetRate` + (MAX_INFLATION − 1 + step) / (step × n), whatever the prediction's
 * bias. A factor rather than a margin in ms: it is the prediction that errs, and a request with a
 * 60 s budget must not be refused for a margin learned on 200 ms ones. The outcome is the
 * service time, as for c, so that a client uploading slowly cannot make admission refuse others.
 * overBudgetRate = 1 keeps f at 1: the mean-only rule.
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
  /** Share of the served requests the rule admitted that may exceed their budget, in (0, 1] (default 0.01). */
  readonly overBudgetRate?: number;
  /** How far one served request moves the inflation factor (default 0.1). */
  readonly inflationStep?: number;
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
 * The most admission inflates the prediction, a safety cap: beyond the point where only the
 * minInFlight requests are admitted, more inflation would change nothing but lengthen the way
 * back, which the cap bounds at (10 − 1) / (step × overBudgetRate) rule-admitted answers.
 */
export const MAX_INFLATION = 10;

export class Admission {
  readonly minInFlight: number;
  readonly maxInFlight: number;
  readonly maxBytesInFlight: number;
  readonly weight: number;
  readonly overBudgetRate: number;
  readonly inflationStep: number;
  readonly #now: () => number;
  #inFlight = 0;
  #bytesInFlight = 0;
  #running = 0;
  /** ms per queue position; null until the first completion. */
  #positionMs: number | null = null;
  /** What the mean prediction is multiplied by before it is compared with the budget. */
  #inflation = 1;

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
    this.inflationStep = options.inflationStep ?? 0.1;
    if (!(this.inflationStep > 0 && this.inflationStep <= 1))
      throw new RangeError(`inflationStep must be in (0, 1], got ${options.inflationStep}`);
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

  /** The factor on the mean prediction, learned from served requests' outcomes (1 = the mean alone). */
  get inflation(): number {
    return this.#inflation;
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
      if (this.#inflation * predicted > budgetMs) {
        const margin =
          this.#inflation === 1
            ? ''
            : ` with the margin that keeps at most ${this.overBudgetRate * 100} % of served requests over it ` +
              `(× ${this.#inflation.toFixed(2)}: ${Math.round(this.#inflation * predicted)} ms)`;
        return this.#refuse(
          `${position} requests in flight would take about ${Math.round(predicted)} ms${margin}, over the ${budgetMs} ms budget`,
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
   * inflation by whether its service time (body arrived → answer, as c counts it) kept its budget.
   */
  complete(ticket: Ticket, served: boolean): void {
    this.#inFlight--;
    this.#bytesInFlight -= ticket.bytes;
    if (ticket.jobsAhead === null) return;
    this.#running--;
    if (!served) return;
    const serviceMs = this.#now() - ticket.startedAt;
    // Only a request the rule let in says whether the rule is strict enough: one admitted below
    // minInFlight came in whatever f was, and counting its lateness would drive f to its cap in a
    // flood — where it would then refuse, for thousands of answers after the flood, requests the
    // workers could serve in time.
    if (ticket.position >= this.minInFlight) {
      const over = serviceMs > ticket.budgetMs ? 1 : 0;
      this.#inflation = Math.min(
        MAX_INFLATION,
        Math.max(1, this.#inflation + this.inflationStep * (over - this.overBudgetRate)),
      );
    }
    const sample = serviceMs / (ticket.jobsAhead + 1);
    this.#positionMs =
      this.#positionMs === null ? sample : this.#positionMs + this.weight * (sample - this.#positionMs);
  }

  #refuse(reason: string, budgetMs: number): AdmissionDecision {
    const predictedMs = this.predictMs();
    // Come back when the queue ahead has drained enough: at least a second (the header's unit).
    const retryAfterSeconds = Math.max(1, Math.ceil((this.#inflation * predictedMs - budgetMs) / 1000));
    return { admitted: false, predictedMs, retryAfterSeconds, reason };
  }
}
