/**
 * `engine/tree.json`: every experiment of a run as one node, written atomically by the workflow
 * adapter after every change. It is the contract with the outputs (src/report reads it for
 * summary.md, progress.png, hypothesis_tree.png and report.md) and the planner's history.
 *
 * Semantics a reader needs:
 * - `status` follows design.md §8: queued → preparing → running → analyzing → completed | failed.
 *   `failed` always comes with decision `crash` and an `error` (a patch that did not apply, a
 *   type error, a refused evaluator change, a timeout, a stall, a missing metric …). A person's
 *   `run.ts queue cancel` ends a running experiment as `cancelled` (decision `cancelled`): not a
 *   crash, and never a result.
 * - `metric` is the frozen evaluator's number, lower is better; null unless completed.
 * - `decision` keep/discard is the keep rule (research/keep-rule.ts): a candidate is kept when its
 *   latency budget held and it beats the incumbent beyond noise: the candidate kept most recently,
 *   or before any keep the harness-default baseline (research/keep-decision.ts);
 *   `decisionReason` says what was compared, with the numbers.
 *   Seed nodes (`seed: true`) are references: `seedKind` says which. The oracle (best config per
 *   request in hindsight) is a floor, never a candidate; the best fixed config is the bar the
 *   thesis must clear. Both are `keep` when they produced a metric, and neither moves the
 *   keep/discard line of the harness experiments.
 * - `params` holds the knobs as proposed (the others took their defaults); `patch` the unified diff
 *   applied to the editable file; `commit` the experiment's commit in `<workdir>/source`.
 * - Extra fields may be added; readers should accept them.
 */
import { z } from 'zod';
// The report reads tree.json with the same statuses and decisions; one list serves both sides.
import { NODE_DECISIONS, NODE_STATUSES } from '../../report/tree-input.js';

export { NODE_DECISIONS, NODE_STATUSES };
export const SEED_KINDS = ['best-fixed', 'harness-default', 'oracle'] as const;

export type NodeStatus = (typeof NODE_STATUSES)[number];
export type NodeDecision = (typeof NODE_DECISIONS)[number];
export type SeedKind = (typeof SEED_KINDS)[number];

const timestamp = z.string().nullable();

export const TreeNodeSchema = z.object({
  id: z.string().min(1),
  parent: z.string().min(1).nullable(),
  name: z.string().min(1),
  hypothesis: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  patch: z.string().nullable(),
  status: z.enum(NODE_STATUSES),
  decision: z.enum(NODE_DECISIONS).nullable(),
  // z.number() refuses NaN and ±Infinity: a metric that is not a number is a crash, not a value.
  metric: z.number().nullable(),
  latencyMsP99: z.number().nullable(),
  commit: z.string().nullable(),
  seed: z.boolean(),
  /** Which reference a seed node is; null for planned experiments. */
  seedKind: z.enum(SEED_KINDS).nullable().default(null),
  createdAt: timestamp,
  startedAt: timestamp,
  finishedAt: timestamp,
  error: z.string().nullable(),
  /** Why the keep rule decided as it did (research/keep-rule.ts): the comparison and its interval. */
  decisionReason: z.string().nullable().default(null),
  /** Relative half-width of the metric's bootstrap CI over the search tenants; null without units. */
  metricHalfWidth: z.number().nullable().default(null),
  /**
   * Relative half-width of the keep decision's paired CI (candidate − incumbent over the search
   * tenants): the noise the decision had to see past; null when no paired interval was computed.
   */
  decisionHalfWidth: z.number().nullable().default(null),
  /** The evaluator's latency budget per request (ms) and how many requests broke it; null when not reported. */
  budgetMs: z.number().nullable().default(null),
  overBudget: z.number().nullable().default(null),
  /**
   * CPU seconds the evaluation took (`cpu_s`, start-up included; summed over shards): the cost a
   * split size is judged by, independent of what else the machine was doing. Null when not reported.
   */
  cpuS: z.number().nullable().default(null),
});

export type TreeNode = z.infer<typeof TreeNodeSchema>;

export const TreeSchema = z.array(TreeNodeSchema);

export function isFinal(node: Pick<TreeNode, 'status'>): boolean {
  return node.status === 'completed' || node.status === 'failed' || node.status === 'cancelled';
}

/** A node whose metric competes for "best so far": completed, measured, and not a reference seed. */
export function isCandidate(node: TreeNode): node is TreeNode & { metric: number } {
  return (
    node.status === 'completed' &&
    node.metric !== null &&
    node.decision !== 'crash' &&
    (node.seedKind === null || node.seedKind === 'harness-default')
  );
}
