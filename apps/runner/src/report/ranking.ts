/**
 * The one definition of "best" that every output shares: the summary's table, the report's
 * results and best path, the progress chart's running best, the tree's highlighted path — and the
 * workflow itself, whose planner builds on it (workflow/research/analysis.ts) — all come from
 * here, so they cannot disagree.
 *
 * Best = the candidate kept most recently. The workflow keeps a candidate only when it beats the
 * best before it beyond noise with its latency budget held (workflow/research/keep-rule.ts), so
 * the kept candidates form a chain of real improvements and its last link is the best. A
 * discarded experiment that printed a lower number (a tie, or a gain within noise) is never
 * "best". Candidates are every experiment but the two reference seeds (oracle, best fixed config;
 * seed-roles.ts).
 */
import { isReference } from './seed-roles.js';
import type { TreeNode } from './tree-input.js';

export type Outcome = 'kept' | 'discarded' | 'crashed' | 'cancelled' | 'undecided' | 'running' | 'queued';

/** What a node looks like on a chart: its decision once it has one, else where it is in its life. */
export function outcomeOf(node: TreeNode): Outcome {
  if (node.status === 'cancelled' || node.decision === 'cancelled') return 'cancelled';
  if (node.status === 'failed' || node.decision === 'crash') return 'crashed';
  if (node.status === 'completed') {
    if (node.metric === null) return 'crashed';
    return node.decision === 'keep' ? 'kept' : node.decision === 'discard' ? 'discarded' : 'undecided';
  }
  return node.status === 'queued' ? 'queued' : 'running';
}

export function hasMetric(node: TreeNode): node is TreeNode & { metric: number } {
  return (
    node.status === 'completed' && node.decision !== 'crash' && node.metric !== null && Number.isFinite(node.metric)
  );
}

export function isCandidate(node: TreeNode): node is TreeNode & { metric: number } {
  return hasMetric(node) && !isReference(node);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function bestNode<T extends TreeNode>(nodes: readonly T[]): (T & { metric: number }) | undefined {
  let best: (T & { metric: number }) | undefined;
  for (const node of finishOrder(nodes)) {
    if (isCandidate(node) && node.decision === 'keep') best = node;
  }
  return best;
}

/**
 * Ancestors of `id` from its root down to it. A parent id missing from the tree ends the chain
 * (that node is drawn as a root too); a cycle, which a valid tree never has, ends it as well.
 */
export function pathFromRoot(nodes: readonly TreeNode[], id: string): TreeNode[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const chain: TreeNode[] = [];
  const seen = new Set<string>();
  for (
    let node = byId.get(id);
    node && !seen.has(node.id);
    node = node.parent === null ? undefined : byId.get(node.parent)
  ) {
    seen.add(node.id);
    chain.push(node);
  }
  return chain.reverse();
}

export function bestPath(nodes: readonly TreeNode[]): TreeNode[] {
  const best = bestNode(nodes);
  return best ? pathFromRoot(nodes, best.id) : [];
}

/**
 * Every node, best first: experiments with a metric by metric (then id), then crashed and failed
 * ones, then those still under way, then the queue. Reference seeds are ranked by their metric
 * like the rest; tables mark them rather than hide them.
 */
export function rankByMetric(nodes: readonly TreeNode[]): TreeNode[] {
  const group = (node: TreeNode): number => {
    if (hasMetric(node)) return 0;
    const outcome = outcomeOf(node);
    return outcome === 'crashed' || outcome === 'undecided' || outcome === 'cancelled'
      ? 1
      : outcome === 'running'
        ? 2
        : 3;
  };
  return [...nodes].sort((a, b) => {
    const byGroup = group(a) - group(b);
    if (byGroup !== 0) return byGroup;
    if (hasMetric(a) && hasMetric(b) && a.metric !== b.metric) return a.metric - b.metric;
    return compareIds(a.id, b.id);
  });
}

export function isFinished(node: TreeNode): boolean {
  return node.status === 'completed' || node.status === 'failed' || node.status === 'cancelled';
}

/**
 * Finished experiments in the order they finished (ISO timestamps compare as strings; a missing
 * one sorts last), ties by id. This is the x axis of the progress chart.
 */
export function finishOrder<T extends TreeNode>(nodes: readonly T[]): T[] {
  return nodes.filter(isFinished).sort((a, b) => {
    if (a.finishedAt !== b.finishedAt) {
      if (a.finishedAt === null) return 1;
      if (b.finishedAt === null) return -1;
      return a.finishedAt < b.finishedAt ? -1 : 1;
    }
    return compareIds(a.id, b.id);
  });
}

export interface StatusCounts {
  readonly total: number;
  readonly completed: number;
  readonly kept: number;
  readonly discarded: number;
  /** Completed with a metric but no keep/discard decision recorded. */
  readonly undecided: number;
  /** Failed, or decided as a crash, or completed without a metric. */
  readonly crashed: number;
  /** Stopped by `run.ts queue cancel`. */
  readonly cancelled: number;
  /** preparing, running or analyzing. */
  readonly running: number;
  readonly queued: number;
  readonly seeds: number;
}

export function countStatuses(nodes: readonly TreeNode[]): StatusCounts {
  const outcomes = nodes.map(outcomeOf);
  const count = (outcome: Outcome): number => outcomes.filter((o) => o === outcome).length;
  return {
    total: nodes.length,
    completed: nodes.filter((node) => node.status === 'completed').length,
    kept: count('kept'),
    discarded: count('discarded'),
    undecided: count('undecided'),
    crashed: count('crashed'),
    cancelled: count('cancelled'),
    running: count('running'),
    queued: count('queued'),
    seeds: nodes.filter((node) => node.seed).length,
  };
}

/** Relative change of `value` against `reference` (negative = lower = better), or null when undefined. */
export function relativeChange(value: number, reference: number): number | null {
  return reference === 0 ? null : (value - reference) / Math.abs(reference);
}
