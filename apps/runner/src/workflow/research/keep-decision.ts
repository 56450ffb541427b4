/**
 * The keep decision for one finished experiment of a run: what it is compared with, and the keep
 * rule's verdict (keep-rule.ts) against that.
 *
 * The comparison is with the incumbent: the best so far (the candidate kept most recently), or,
 * before any candidate was kept, the baseline — the harness-default seed, the configuration a
 * user gets without a search. The baseline is the bar whatever its own latency: a first
 * candidate that merely ties it is not a finding, even when the baseline itself broke the budget
 * and so is not a best. Only a run without a measured baseline keeps its first candidate within
 * the latency budget unconditionally. Reference seeds (best fixed config, oracle) are kept as
 * references and never compared.
 */
import { bestNode } from '../../report/ranking.js';
import { isFinal, type TreeNode } from '../state/tree-schema.js';
import type { Unit } from './bootstrap.js';
import { budgetProblem, keepVerdict, type KeepRule, type KeepVerdict, type Scored } from './keep-rule.js';

type Measured = TreeNode & { metric: number };

/** The harness-default seed when it finished with a metric (kept or not). */
export function baselineOf(nodes: readonly TreeNode[]): Measured | undefined {
  const seed = nodes.find((node) => node.seedKind === 'harness-default');
  return seed && seed.status === 'completed' && seed.metric !== null && seed.decision !== 'crash'
    ? (seed as Measured)
    : undefined;
}

/**
 * The harness-default seed while it is queued or running, when `node` is a candidate that would
 * be judged against it: such a candidate waits (decision null) until the seed is final, so a
 * hand-queued experiment that finishes first is not kept with nothing to beat.
 */
export function baselinePending(
  nodes: readonly TreeNode[],
  node: Pick<TreeNode, 'id' | 'seedKind'>,
): TreeNode | undefined {
  if (node.seedKind !== null) return undefined;
  const seed = nodes.find((other) => other.seedKind === 'harness-default');
  return seed && seed.id !== node.id && !isFinal(seed) ? seed : undefined;
}

/** A candidate that finished while the baseline was pending and has not been judged since. */
export function isWaitingForBaseline(node: TreeNode): boolean {
  return node.status === 'completed' && node.decision === null && node.seedKind === null;
}

export function waitingReason(seed: Pick<TreeNode, 'id'>): string {
  return `waiting for the harness-default baseline (${seed.id}) to finish: judged against it then`;
}

/** What a candidate (`except`: its id) is compared with: the best so far, else the baseline. */
export function incumbentOf(nodes: readonly TreeNode[], except?: string): Measured | undefined {
  const best = bestNode(except === undefined ? nodes : nodes.filter((node) => node.id !== except));
  if (best) return best;
  const baseline = baselineOf(nodes);
  return baseline && baseline.id !== except ? baseline : undefined;
}

/** The candidate's own numbers, as the evaluator reported them. */
export type CandidateResult = Pick<Scored, 'metric' | 'latencyMsP99' | 'budgetMs' | 'overBudget'>;

export async function keepDecision(
  node: Pick<TreeNode, 'id' | 'seedKind'>,
  result: CandidateResult,
  units: readonly Unit[] | undefined,
  nodes: readonly TreeNode[],
  unitsOf: (id: string) => Promise<readonly Unit[] | undefined>,
  rule: KeepRule,
): Promise<KeepVerdict> {
  if (node.seedKind === 'best-fixed' || node.seedKind === 'oracle')
    return { decision: 'keep', reason: 'a reference seed: shown beside every result, never the best' };
  const candidate: Scored = {
    id: node.id,
    metric: result.metric,
    units,
    latencyMsP99: result.latencyMsP99,
    budgetMs: result.budgetMs,
    overBudget: result.overBudget,
  };
  const incumbent = incumbentOf(nodes, node.id);
  if (!incumbent) {
    if (node.seedKind === 'harness-default') {
      const budget = budgetProblem(candidate);
      return budget
        ? {
            decision: 'discard',
            reason: `latency budget not held: ${budget}; still the baseline a candidate must beat beyond noise`,
          }
        : { decision: 'keep', reason: 'the baseline: the first best, which a candidate must beat beyond noise' };
    }
    const verdict = keepVerdict(candidate, undefined, rule);
    return verdict.decision === 'keep'
      ? { ...verdict, reason: `${verdict.reason}; no measured baseline (harness-default seed) to compare with` }
      : verdict;
  }
  return keepVerdict(
    candidate,
    {
      id: incumbent.id,
      metric: incumbent.metric,
      units: await unitsOf(incumbent.id),
      latencyMsP99: incumbent.latencyMsP99,
      budgetMs: incumbent.budgetMs,
      overBudget: incumbent.overBudget,
    },
    rule,
  );
}
