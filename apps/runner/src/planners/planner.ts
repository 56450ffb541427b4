/**
 * The contract between the research loop and whatever proposes its next experiments.
 *
 * A planner is stateless from the loop's point of view: everything it may use arrives in the
 * `PlanningContext` of each call, so a resumed run plans exactly as an uninterrupted one would.
 * It never runs experiments, never reads metrics from disk, never edits the frozen evaluator.
 */
import type { ParamSpace, ParamValues } from './param-space.js';
import type { ExperimentProposal } from './proposal-schema.js';

export type ExperimentStatus = 'keep' | 'discard' | 'crash';

/** A finished experiment, as the loop recorded it. */
export interface ExperimentRecord {
  readonly id: string;
  readonly name: string;
  /** As proposed: knobs not listed took their default. */
  readonly params: ParamValues;
  /** The frozen evaluator's metric, lower is better; null when the run produced none. */
  readonly metric: number | null;
  readonly status: ExperimentStatus;
  readonly parent?: string | null;
  readonly hypothesis?: string;
  /** The diff applied to the editable file, when there was one. */
  readonly patch?: string;
  /** One line of analysis or the crash reason, shown to the planner. */
  readonly note?: string;
}

/** An experiment already queued or running: never proposed again, not yet measured. */
export interface PendingExperiment {
  readonly name: string;
  readonly params: ParamValues;
  readonly patch?: string;
}

export interface PlanningBudget {
  /** How many more experiments the run may start; proposals beyond it are dropped by priority. */
  readonly experimentsLeft: number;
  /** Dollars the run may still spend on planning; the Claude planner refuses calls beyond it. */
  readonly dollarsLeft: number;
}

export interface PlanningContext {
  /** program.md: the research program, the planner's standing instructions. */
  readonly program: string;
  /** Accumulated findings (the loop's knowledge file); may be empty. */
  readonly knowledge: string;
  readonly history: readonly ExperimentRecord[];
  readonly inFlight?: readonly PendingExperiment[];
  /** Current text of the one file a patch may change. */
  readonly sourceOfEditable: string;
  /** Its path as a patch must name it; defaults to `experiment.ts`. */
  readonly editableFile?: string;
  readonly paramSpace: ParamSpace;
  readonly budget: PlanningBudget;
  /** Planning round number, used only to label logs. */
  readonly round?: number;
}

export interface PlannerUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly dollars: number;
}

export type PlannerFailureKind =
  /** Every attempt's reply failed validation (schema, knob values, malformed body, no tool call). */
  | 'invalid-reply'
  /** The API failed: a permanent error (400, 401, …), or transient ones until the planning deadline. */
  | 'api-error'
  /** The call was refused in code because its worst-case cost exceeds the dollars left. */
  | 'budget';

export interface PlannerFailure {
  readonly kind: PlannerFailureKind;
  readonly message: string;
  /**
   * The API was unreachable or overloaded (429, 5xx, timeouts, a dropped connection) for the whole
   * planning deadline: nothing is wrong with the run, so the loop plans again rather than stopping.
   */
  readonly transient?: boolean;
}

export interface PlanOutcome {
  /** Valid proposals, sorted by priority (lower runs sooner), at most `budget.experimentsLeft`. */
  readonly proposals: ExperimentProposal[];
  /** True when the planner answered `action: "stop"` (its judgement; the stop rule is separate). */
  readonly stopRequested: boolean;
  readonly reasoning: string;
  /** Summed over every attempt of this call, failed ones included. */
  readonly usage: PlannerUsage;
  /** API round trips made (SDK transport retries not counted; they are one attempt). */
  readonly attempts: number;
  /** Set when no valid reply was obtained; `proposals` is then empty. */
  readonly failure?: PlannerFailure;
}

export type PlannerKind = 'claude' | 'offline';

export interface PlanOptions {
  /** Aborted when the runner is asked to stop: a call in flight is abandoned and plan() rejects. */
  readonly signal?: AbortSignal;
}

export interface Planner {
  readonly kind: PlannerKind;
  plan(context: PlanningContext, options?: PlanOptions): Promise<PlanOutcome>;
}

export const DEFAULT_EDITABLE_FILE = 'experiment.ts';

export const NO_USAGE: PlannerUsage = Object.freeze({ inputTokens: 0, outputTokens: 0, dollars: 0 });
