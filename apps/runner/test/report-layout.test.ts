import { describe, expect, it } from 'vitest';
import { tidyLayout, type TreeLayout } from '../src/report/tidy-layout.js';
import type { TreeNode } from '../src/report/tree-input.js';
import { chainTree, fixtureTree, node, randomTree } from './report-fixture.js';

/** Every pair of nodes at one depth is at least one slot apart. */
function expectNoOverlap(layout: TreeLayout): void {
  const byDepth = new Map<number, number[]>();
  for (const point of layout.points) byDepth.set(point.depth, [...(byDepth.get(point.depth) ?? []), point.breadth]);
  for (const breadths of byDepth.values()) {
    const sorted = [...breadths].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeGreaterThanOrEqual(1 - 1e-9);
  }
}

/** Each parent is midway between its leftmost and rightmost child, one depth above them. */
function expectParentsCentred(layout: TreeLayout): void {
  const children = new Map<string, number[]>();
  for (const [id, parent] of layout.parentOf)
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), layout.byId.get(id)?.breadth ?? NaN]);
  for (const [parent, breadths] of children) {
    const point = layout.byId.get(parent);
    expect(point).toBeDefined();
    expect(point?.breadth).toBeCloseTo((Math.min(...breadths) + Math.max(...breadths)) / 2, 9);
  }
  for (const [id, parent] of layout.parentOf) {
    if (parent !== null) expect(layout.byId.get(id)?.depth).toBe((layout.byId.get(parent)?.depth ?? NaN) + 1);
  }
}

describe('tidyLayout', () => {
  it('keeps nodes at one depth apart and parents centred, on 200 seeded random trees of 3–60 nodes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const nodes = randomTree(3 + (seed % 58), seed);
      const layout = tidyLayout(nodes);
      expect(layout.points).toHaveLength(nodes.length);
      expectNoOverlap(layout);
      expectParentsCentred(layout);
      expect(Math.min(...layout.points.map((point) => point.breadth))).toBe(0);
    }
  });

  it('lays out the fixture with seeds as roots at depth 0 and the best leaf at depth 3', () => {
    const layout = tidyLayout(fixtureTree());
    expectNoOverlap(layout);
    expectParentsCentred(layout);
    expect(['e001', 'e002', 'e003'].map((id) => layout.byId.get(id)?.depth)).toEqual([0, 0, 0]);
    expect(layout.byId.get('e012')?.depth).toBe(3);
    expect(layout.maxDepth).toBe(4);
  });

  it('orders siblings by creation time, then id', () => {
    const layout = tidyLayout(fixtureTree());
    const breadth = (id: string): number => layout.byId.get(id)?.breadth ?? NaN;
    expect(breadth('e004')).toBeLessThan(breadth('e005'));
    expect(breadth('e005')).toBeLessThan(breadth('e006'));
  });

  it('packs subtrees by their contours, not their full widths', () => {
    // a has a wide grandchild row; b is a leaf, so it can sit right next to a, not past a's subtree.
    const nodes: TreeNode[] = [
      node({ id: 'r', parent: null, name: 'r', params: {}, at: 1 }),
      node({ id: 'a', parent: 'r', name: 'a', params: {}, at: 2 }),
      node({ id: 'b', parent: 'r', name: 'b', params: {}, at: 3 }),
      node({ id: 'a1', parent: 'a', name: 'a1', params: {}, at: 4 }),
      ...['x', 'y', 'z', 'w'].map((id, i) => node({ id, parent: 'a1', name: id, params: {}, at: 5 + i })),
    ];
    const layout = tidyLayout(nodes);
    expect((layout.byId.get('b')?.breadth ?? 0) - (layout.byId.get('a')?.breadth ?? 0)).toBe(1);
    expectNoOverlap(layout);
  });

  it('is deterministic and independent of the order nodes come in', () => {
    const nodes = randomTree(40, 7);
    const shuffled = [...nodes].reverse();
    const asMap = (layout: TreeLayout) =>
      Object.fromEntries(layout.points.map((point) => [point.id, [point.depth, point.breadth]]));
    expect(asMap(tidyLayout(shuffled))).toEqual(asMap(tidyLayout(nodes)));
  });

  it('handles an empty tree, one node, a long chain, a missing parent and a parent cycle', () => {
    expect(tidyLayout([]).points).toEqual([]);
    expect(tidyLayout(fixtureTree().slice(0, 1)).points).toEqual([{ id: 'e001', depth: 0, breadth: 0 }]);

    const chain = tidyLayout(chainTree(30));
    expect(chain.maxDepth).toBe(29);
    expect(chain.maxBreadth).toBe(0);

    const orphan = node({ id: 'o', parent: 'gone', name: 'orphan', params: {}, at: 1 });
    expect(tidyLayout([orphan]).parentOf.get('o')).toBeNull();

    const cycle = [
      node({ id: 'p', parent: 'q', name: 'p', params: {}, at: 1 }),
      node({ id: 'q', parent: 'p', name: 'q', params: {}, at: 2 }),
      node({ id: 's', parent: null, name: 's', params: {}, at: 3 }),
    ];
    const layout = tidyLayout(cycle);
    expect(layout.points.map((point) => point.id).sort()).toEqual(['p', 'q', 's']);
    expectNoOverlap(layout);
  });
});
