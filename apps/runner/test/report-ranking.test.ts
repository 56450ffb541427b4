import { describe, expect, it } from 'vitest';
import { bestNode, bestPath, countStatuses, finishOrder, pathFromRoot, rankByMetric } from '../src/report/ranking.js';
import { seedBaselines, seedRole } from '../src/report/seed-roles.js';
import type { TreeNode } from '../src/report/tree-input.js';
import { fixtureTree, node, randomTree } from './report-fixture.js';

/**
 * The definition, written independently: argmin metric over completed, non-crashed nodes that
 * are not reference seeds.
 */
/** The keep rule's best, written out: the candidate kept most recently (finish order). */
function lastKept(nodes: readonly TreeNode[]): TreeNode | undefined {
  const references = ['oracle', 'best-fixed'];
  const kept = nodes.filter(
    (n) =>
      n.status === 'completed' && n.decision === 'keep' && n.metric !== null && !references.includes(seedRole(n) ?? ''),
  );
  return kept.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id.localeCompare(b.id)).at(-1);
}

function ancestorsOf(nodes: readonly TreeNode[], id: string): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const chain: string[] = [];
  for (let current = byId.get(id); current; current = current.parent ? byId.get(current.parent) : undefined)
    chain.unshift(current.id);
  return chain;
}

describe('best experiment and best path', () => {
  it('the best is the candidate kept most recently: the oracle and crashes never win', () => {
    const nodes = fixtureTree();
    expect(bestNode(nodes)?.id).toBe('e012');
    expect(nodes.find((n) => n.id === 'e003')?.metric).toBeLessThan(bestNode(nodes)?.metric ?? 0); // the oracle is lower
  });

  it('never picks the best fixed config, the bar to clear, even when nothing beats it', () => {
    const seeds = fixtureTree().slice(0, 3); // harness default 0.5234, best fixed 0.487, oracle 0.38
    expect(bestNode(seeds)?.id).toBe('e001');
  });

  it('the best path is the last kept candidate and its chain of ancestors, root first', () => {
    expect(bestPath(fixtureTree()).map((n) => n.id)).toEqual(['e002', 'e004', 'e007', 'e012']);
    for (let seed = 1; seed <= 50; seed++) {
      const nodes = randomTree(5 + seed, seed);
      const best = lastKept(nodes);
      expect(bestNode(nodes)?.id).toBe(best?.id);
      expect(bestPath(nodes).map((n) => n.id)).toEqual(best ? ancestorsOf(nodes, best.id) : []);
    }
  });

  it('never names a discarded tie (or a discarded lower metric) best, whatever the file order', () => {
    const a = node({ id: 'b2', parent: null, name: 'b', params: {}, decision: 'keep', metric: 0.3, at: 1 });
    const b = node({ id: 'a1', parent: null, name: 'a', params: {}, decision: 'discard', metric: 0.3, at: 2 });
    const c = node({ id: 'a0', parent: null, name: 'c', params: {}, decision: 'discard', metric: 0.29, at: 3 });
    expect(bestNode([a, b, c])?.id).toBe('b2');
    expect(bestNode([c, b, a])?.id).toBe('b2');
  });

  it('has no best and an empty path when nothing has a metric', () => {
    const queued = node({ id: 'q', parent: null, name: 'q', params: {}, status: 'queued', at: 1 });
    expect(bestNode([queued])).toBeUndefined();
    expect(bestPath([])).toEqual([]);
  });

  it('stops a path at a parent cycle instead of looping', () => {
    const p = node({ id: 'p', parent: 'q', name: 'p', params: {}, decision: 'keep', metric: 0.2, at: 1 });
    const q = node({ id: 'q', parent: 'p', name: 'q', params: {}, decision: 'keep', metric: 0.3, at: 2 });
    expect(pathFromRoot([p, q], 'p').map((n) => n.id)).toEqual(['q', 'p']);
  });
});

describe('ordering and counts', () => {
  it('ranks by metric, then crashed and failed, then running, then queued', () => {
    const ids = rankByMetric(fixtureTree()).map((n) => n.id);
    expect(ids.slice(0, 3)).toEqual(['e003', 'e012', 'e007']);
    expect(ids.slice(-5)).toEqual(['e006', 'e009', 'e013', 'e014', 'e015']);
  });

  it('orders finished experiments by finishedAt, then id, leaving unfinished ones out', () => {
    const ids = finishOrder(fixtureTree()).map((n) => n.id);
    // e002 and e003 finished at the same minute: id decides.
    expect(ids).toEqual([
      'e001',
      'e002',
      'e003',
      'e004',
      'e005',
      'e006',
      'e007',
      'e008',
      'e009',
      'e010',
      'e011',
      'e012',
    ]);
  });

  it('counts what the fixture holds', () => {
    expect(countStatuses(fixtureTree())).toEqual({
      total: 15,
      completed: 11,
      kept: 6,
      discarded: 4,
      undecided: 0,
      crashed: 2,
      cancelled: 0,
      running: 1,
      queued: 2,
      seeds: 3,
    });
    expect(countStatuses([]).total).toBe(0);
  });
});

describe('seed roles', () => {
  it('takes the role from seedKind, and from names and params when a tree has none', () => {
    const roles = fixtureTree()
      .filter((n) => n.seed)
      .map(seedRole);
    expect(roles).toEqual(['harness-default', 'best-fixed', 'oracle']);
    const byName = fixtureTree()
      .filter((n) => n.seed)
      .map(({ seedKind: _kind, ...rest }) => seedRole(rest));
    expect(byName).toEqual(['harness-default', 'best-fixed', 'oracle']);
    expect(seedRole(node({ id: 'seed-oracle', parent: null, name: 'hindsight', params: {}, seed: true, at: 1 }))).toBe(
      'oracle',
    );
    const plain = node({
      id: 's',
      parent: null,
      name: 'baseline run',
      params: { strategy: 'fixed-best' },
      seed: true,
      at: 1,
    });
    expect(seedRole(plain)).toBe('best-fixed');
    expect(seedRole(node({ id: 'x', parent: null, name: 'oracle-ish', params: {}, at: 1 }))).toBeNull(); // not a seed
  });

  it('lists one baseline per role in a fixed order', () => {
    expect(seedBaselines(fixtureTree()).map((b) => [b.role, b.node.id])).toEqual([
      ['harness-default', 'e001'],
      ['best-fixed', 'e002'],
      ['oracle', 'e003'],
    ]);
  });
});
