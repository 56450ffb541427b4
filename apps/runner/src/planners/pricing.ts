/**
 * Dollars per call and the cap on them. The cap is enforced here, in code, before a request is
 * sent — a planner that only noticed overspending after the bill arrived would not be a cap.
 */
import { PlannerConfigError } from './errors.js';

export interface ModelPrice {
  /** US dollars per million input tokens. */
  readonly inputPerMTok: number;
  /** US dollars per million output tokens. */
  readonly outputPerMTok: number;
}

/** List prices at the time of writing; pass `prices` to override or add models. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4-0': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4-0': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
});

/**
 * The price of `model`: an exact entry, else the longest entry the model id starts with, so a
 * dated snapshot (`claude-sonnet-4-5-20250929`) is priced like its alias. An unknown model is a
 * configuration error: without a price the cap could not be enforced.
 */
export function priceFor(model: string, prices: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES): ModelPrice {
  const exact = prices[model];
  if (exact !== undefined) return exact;
  const prefix = Object.keys(prices)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix !== undefined) return prices[prefix];
  throw new PlannerConfigError(
    `no price for model "${model}"; add it to the planner's prices (known: ${Object.keys(prices).join(', ')})`,
  );
}

export function dollarsFor(tokens: { inputTokens: number; outputTokens: number }, price: ModelPrice): number {
  return (tokens.inputTokens * price.inputPerMTok + tokens.outputTokens * price.outputPerMTok) / 1_000_000;
}

/**
 * Tokens a request body will count as input, erring high. English prose runs near 4 bytes per
 * token and JSON or code nearer 3; dividing UTF-8 bytes by 3 overestimates both, so the
 * pre-call check refuses a little early rather than a little late.
 */
export function estimateInputTokens(requestText: string, bytesPerToken = 3): number {
  return Math.ceil(Buffer.byteLength(requestText, 'utf8') / bytesPerToken);
}

/**
 * Spend so far against a hard cap in dollars. A call reserves its worst case before it is sent
 * and settles at its actual cost afterwards, so concurrent calls cannot each pass the check on
 * the same remaining dollars and overspend together.
 */
export class DollarBudget {
  #spent: number;
  #reserved = 0;

  constructor(
    readonly capDollars: number,
    spentDollars = 0,
  ) {
    if (!(capDollars >= 0)) throw new PlannerConfigError(`the dollar cap must be ≥ 0 (got ${capDollars})`);
    this.#spent = spentDollars;
  }

  get spent(): number {
    return this.#spent;
  }

  /** Dollars neither spent nor reserved by a call in flight. */
  get remaining(): number {
    return Math.max(0, this.capDollars - this.#spent - this.#reserved);
  }

  /** Whether a call whose worst-case cost is `dollars` may be made now. */
  allows(dollars: number): boolean {
    return this.#spent + this.#reserved + dollars <= this.capDollars;
  }

  /** Holds `dollars` for a call about to be sent; false (and nothing held) when it does not fit. */
  reserve(dollars: number): boolean {
    if (!this.allows(dollars)) return false;
    this.#reserved += dollars;
    return true;
  }

  /** Releases a reservation and records what the call actually cost. */
  settle(reserved: number, actualDollars: number): void {
    this.#reserved = Math.max(0, this.#reserved - reserved);
    this.#spent += actualDollars;
  }

  charge(dollars: number): void {
    this.#spent += dollars;
  }
}
