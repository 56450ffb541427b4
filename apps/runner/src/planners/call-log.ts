/**
 * Per-call record of the Claude planner: one JSON line per API attempt in
 * `<logDir>/planner-calls.jsonl` (grep-able: tokens, dollars, latency, outcome) and the full
 * artefacts in `<logDir>/planner/<n>-{prompt.md,response.json,output.json}`.
 *
 * Everything written passes through the redactor. The log also remembers the spend, so a
 * restarted run resumes its dollar cap from what earlier processes already spent.
 */
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redactor } from './redact.js';
import { redactedJson } from './redact.js';

export type CallOutcome = 'ok' | 'invalid' | 'api-error' | 'refused';

/**
 * Why a call was made: a report synthesis, or the analysis of one finished experiment
 * (`--analysis claude`). Absent on planning calls, so lines written before these existed still read the same.
 */
export type CallPurpose = 'synthesis' | 'analysis';

export interface PlannerCallEntry {
  readonly n: number;
  readonly round: number | null;
  /** 'synthesis' / 'analysis' (ClaudePlanner.synthesize / analyze): same cap, same log, no round. */
  readonly purpose?: CallPurpose;
  /** 1-based attempt within one `plan()` call (validation retries, not SDK transport retries). */
  readonly attempt: number;
  readonly model: string;
  readonly startedAt: string;
  readonly latencyMs: number;
  readonly outcome: CallOutcome;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly dollars: number;
  /** True when the API reported no usage and `dollars` is the pre-call worst case instead. */
  readonly dollarsEstimated: boolean;
  readonly worstCaseDollars: number;
  readonly cumulativeDollars: number;
  readonly problems?: readonly string[];
  readonly error?: string;
  readonly files: { readonly prompt: string; readonly response: string; readonly output: string };
}

export interface CallArtifacts {
  /** Human-readable prompt: system, every message turn, the tool schema. */
  readonly prompt: string;
  /** The response as received (parsed body, or raw text when it was not JSON, or the error). */
  readonly response: unknown;
  /** The validated reply, or the problems found in it. */
  readonly output: unknown;
}

export const CALLS_FILE = 'planner-calls.jsonl';
export const CALLS_DIR = 'planner';

export class PlannerCallLog {
  #next = 1;
  #loaded: Promise<{ spentDollars: number }> | undefined;

  constructor(
    readonly logDir: string,
    private readonly redact: Redactor,
  ) {}

  /** Reads what earlier processes logged: the next call number and the dollars already spent. */
  load(): Promise<{ spentDollars: number }> {
    this.#loaded ??= this.#load();
    return this.#loaded;
  }

  async #load(): Promise<{ spentDollars: number }> {
    await mkdir(join(this.logDir, CALLS_DIR), { recursive: true });
    let spentDollars = 0;
    let maxN = 0;
    const text = await readFile(join(this.logDir, CALLS_FILE), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const entry = JSON.parse(line) as Partial<PlannerCallEntry>;
        if (typeof entry.dollars === 'number') spentDollars += entry.dollars;
        if (typeof entry.n === 'number') maxN = Math.max(maxN, entry.n);
      } catch {
        // A line cut short by a crash mid-append: its call is lost from the tally, which is why
        // the artefact files are also scanned below so numbering never overwrites them.
      }
    }
    for (const file of await readdir(join(this.logDir, CALLS_DIR))) {
      const n = Number.parseInt(file, 10);
      if (Number.isFinite(n)) maxN = Math.max(maxN, n);
    }
    this.#next = maxN + 1;
    return { spentDollars };
  }

  async record(entry: Omit<PlannerCallEntry, 'n' | 'files'>, artifacts: CallArtifacts): Promise<PlannerCallEntry> {
    await this.load();
    const n = this.#next++;
    const stem = String(n).padStart(4, '0');
    const files = {
      prompt: `${CALLS_DIR}/${stem}-prompt.md`,
      response: `${CALLS_DIR}/${stem}-response.json`,
      output: `${CALLS_DIR}/${stem}-output.json`,
    };
    const full: PlannerCallEntry = { n, ...entry, files };
    await writeFile(join(this.logDir, files.prompt), this.redact(artifacts.prompt));
    await writeFile(join(this.logDir, files.response), `${redactedJson(artifacts.response, this.redact)}\n`);
    await writeFile(join(this.logDir, files.output), `${redactedJson(artifacts.output, this.redact)}\n`);
    // The summary line goes last: a line in the JSONL promises its three files exist.
    await appendFile(join(this.logDir, CALLS_FILE), `${redactedJson(full, this.redact, 0)}\n`);
    return full;
  }
}
