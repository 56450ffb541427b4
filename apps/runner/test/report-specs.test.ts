import { describe, expect, it } from 'vitest';
import { OUTCOME_COLORS } from '../src/report/palette.js';
import {
  BASELINE_LABEL_PX,
  baselineLabelBottoms,
  CRASH_BAND_PX,
  PROGRESS_KINDS,
  progressData,
  progressSpec,
} from '../src/report/progress-spec.js';
import { bestPath } from '../src/report/ranking.js';
import { treeChartData, treeSpec } from '../src/report/tree-spec.js';
import type { TreeNode } from '../src/report/tree-input.js';
import { chainTree, fixtureTree, randomTree } from './report-fixture.js';

type Layer = {
  data?: { values?: Array<Record<string, unknown>> };
  mark?: { type?: string };
  encoding?: Record<
    string,
    { field?: string; value?: unknown; datum?: unknown; scale?: { domain?: unknown[]; range?: unknown[] } }
  >;
};
/** The layers of a spec, or of its first panel when it is a vconcat (progress.png's metric panel). */
const layersOf = (spec: unknown): Layer[] => {
  const { layer, vconcat } = spec as { layer?: Layer[]; vconcat?: Array<{ layer?: Layer[] }> };
  return layer ?? vconcat?.[0]?.layer ?? [];
};

describe('progressSpec', () => {
  const nodes = fixtureTree();
  const spec = progressSpec(nodes);
  const layers = layersOf(spec);
  const crashLayer = layers.find((layer) =>
    layer.data?.values?.some((row) => row['kind'] === PROGRESS_KINDS.crashed.label),
  );

  it('draws crashed and failed experiments as red × in the top band, with no metric', () => {
    expect(crashLayer).toBeDefined();
    const rows = crashLayer?.data?.values ?? [];
    expect(rows.map((row) => row['id'])).toEqual(['e006', 'e009']);
    for (const row of rows) expect(row['metric']).toBeUndefined();
    // y is a pixel position in the band, not a field on the metric scale.
    expect(crashLayer?.encoding?.['y']).toEqual({ value: CRASH_BAND_PX / 2 });
    const shape = crashLayer?.encoding?.['shape']?.scale;
    const color = crashLayer?.encoding?.['color']?.scale;
    const index = shape?.domain?.indexOf(PROGRESS_KINDS.crashed.label) ?? -1;
    expect(shape?.range?.[index]).toBe(PROGRESS_KINDS.crashed.shape);
    expect(color?.range?.[index]).toBe(OUTCOME_COLORS.crashed);
  });

  it('plots no crash on the metric scale, at 0 or anywhere else', () => {
    const plotted = layers.flatMap((layer) =>
      layer.encoding?.['y']?.field === 'metric' ? (layer.data?.values ?? []) : [],
    );
    const plottedIds = new Set(plotted.map((row) => row['id']).filter(Boolean));
    expect(plottedIds.has('e006')).toBe(false);
    expect(plottedIds.has('e009')).toBe(false);
    expect(
      plotted.every((row) => row['metric'] === undefined || (typeof row['metric'] === 'number' && row['metric'] > 0)),
    ).toBe(true);
  });

  it('colours kept points green and discarded grey, and marks seeds apart', () => {
    const data = progressData(nodes);
    const kindOf = (id: string) => data.points.find((point) => point.id === id)?.kind;
    expect(kindOf('e004')).toBe(PROGRESS_KINDS.kept.label);
    expect(kindOf('e005')).toBe(PROGRESS_KINDS.discarded.label);
    expect(kindOf('e001')).toBe(PROGRESS_KINDS.seed.label);
    expect(PROGRESS_KINDS.seed.shape).not.toBe(PROGRESS_KINDS.kept.shape);
  });

  it('steps the running best down only, ending at the best metric, the reference seeds left out', () => {
    const { runningBest } = progressData(nodes);
    for (let i = 1; i < runningBest.length; i++)
      expect(runningBest[i]?.best).toBeLessThanOrEqual(runningBest[i - 1]?.best ?? Infinity);
    expect(runningBest.map((step) => step.best)).toEqual([
      0.5234, 0.5234, 0.5234, 0.471, 0.471, 0.471, 0.4522, 0.4522, 0.4522, 0.4522, 0.4522, 0.4415,
    ]);
  });

  it('draws a dashed reference line for each seed baseline', () => {
    expect(progressData(nodes).baselines.map((line) => line.label)).toEqual([
      'harness default 0.5234',
      'best fixed config 0.4870',
      'oracle (lower bound) 0.3800',
    ]);
  });

  it('says in the title the best metric and how many experiments, and on the axis that lower is better', () => {
    const title = (spec as { title: { text: string } }).title.text;
    expect(title).toContain('0.4415');
    expect(title).toContain('12 experiments');
    const axisTitle = layers.find((layer) => layer.encoding?.['y']?.field === 'metric')?.encoding?.['y'] as {
      title?: string[];
    };
    expect(axisTitle.title?.join(' ')).toContain('lower is better');
  });

  it('copes with no experiments', () => {
    expect((progressSpec([]) as { title: { text: string } }).title.text).toContain('No successful experiment');
  });
});

describe('baseline labels on progress.png', () => {
  /** The pixel y of each baseline label's bottom edge in a spec, by the label's text. */
  const labelBottoms = (spec: unknown): Map<string, number> => {
    const bottoms = new Map<string, number>();
    for (const layer of layersOf(spec)) {
      const label = layer.data?.values?.[0]?.['label'];
      const y = layer.encoding?.['y']?.value;
      if (layer.mark?.type === 'text' && typeof label === 'string' && typeof y === 'number') bottoms.set(label, y);
    }
    return bottoms;
  };
  /** Two labels overlap when their pixel rows [bottom − height, bottom] intersect. */
  const apart = (a: number, b: number): boolean => Math.abs(a - b) >= BASELINE_LABEL_PX;

  it('keeps the harness-default and best-fixed labels apart when the two are 0.002 apart', () => {
    // e002 (best fixed config) moved to 0.002 under e001 (harness default, 0.5234).
    const nodes = fixtureTree().map((n) => (n.id === 'e002' ? { ...n, metric: 0.5214 } : n));
    const bottoms = labelBottoms(progressSpec(nodes));
    const fixed = bottoms.get('best fixed config 0.5214');
    const harness = bottoms.get('harness default 0.5234');
    expect(fixed).toBeDefined();
    expect(harness).toBeDefined();
    expect(apart(fixed ?? 0, harness ?? 0)).toBe(true);
    // The oracle, far below, keeps its place just above its rule, clear of both.
    const oracle = bottoms.get('oracle (lower bound) 0.3800') ?? 0;
    expect(apart(oracle, fixed ?? 0) && apart(oracle, harness ?? 0)).toBe(true);
  });

  it('sets each label just above its rule when the rules are far apart', () => {
    // Domain 0…1 onto 340…0 px: rules at 306 px and 170 px.
    expect(baselineLabelBottoms([0.1, 0.5], [0, 1], [340, 0])).toEqual([304, 168]);
  });

  it('puts the lower of two close labels under its own rule, and a third below both', () => {
    // Equal metrics, then 0.001 apart (0.34 px): one label above the shared rule, the next under it.
    expect(baselineLabelBottoms([0.5, 0.5], [0, 1], [340, 0])).toEqual([168, 184]);
    const [upper = 0, lower = 0, third = 0] = baselineLabelBottoms([0.501, 0.5, 0.4995], [0, 1], [340, 0]);
    expect(upper).toBeCloseTo(170 - 0.34 - 2, 9);
    expect(lower).toBeCloseTo(170 + 2 + BASELINE_LABEL_PX, 9);
    expect(third).toBeCloseTo(lower + BASELINE_LABEL_PX, 9);
    expect(apart(upper, lower) && apart(lower, third) && apart(upper, third)).toBe(true);
  });

  it('separates labels given in any order, metric by metric', () => {
    // The same close pair given low-first: the label of the higher metric (higher on screen) stays above.
    const [low = 0, high = 0] = baselineLabelBottoms([0.5, 0.501], [0, 1], [340, 0]);
    expect(high).toBeLessThan(low);
    expect(apart(low, high)).toBe(true);
  });
});

describe('treeSpec', () => {
  it('highlights exactly the edges of the best path', () => {
    const nodes = fixtureTree();
    const data = treeChartData(nodes);
    expect(data.bestPathIds).toEqual(bestPath(nodes).map((n) => n.id));
    const highlighted = [...new Set(data.edges.filter((point) => point.onBestPath).map((point) => point.edge))].sort();
    expect(highlighted).toEqual(['e002->e004', 'e004->e007', 'e007->e012']);
    const thick = layersOf(treeSpec(nodes)).find(
      (layer) =>
        layer.data?.values?.length &&
        layer.data.values.every((row) => row['onBestPath'] === true) &&
        layer.mark?.type === 'line',
    );
    expect(thick).toBeDefined();
  });

  it('never puts two node circles closer than a label slot, on random trees of 3–60 nodes', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { nodes: marks } = treeChartData(randomTree(3 + seed * 2 - 1, seed));
      for (let i = 0; i < marks.length; i++) {
        for (let j = i + 1; j < marks.length; j++) {
          const a = marks[i];
          const b = marks[j];
          if (!a || !b) continue;
          // Same column (or row): labels stack; they must not share a slot.
          expect(Math.abs(a.x - b.x) + Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(40);
        }
      }
    }
  });

  it('grows with the tree and turns a long chain top-down instead of thousands of pixels wide', () => {
    const small = treeChartData(fixtureTree());
    const wide = treeChartData(randomTree(60, 3));
    expect(small.orientation).toBe('left-right');
    expect(wide.height).toBeGreaterThan(small.height);
    const chain = treeChartData(chainTree(40));
    expect(chain.orientation).toBe('top-down');
    expect(chain.width).toBeLessThan(800);
  });

  it('copes with an empty tree and a single node', () => {
    expect((treeSpec([]) as { title: { text: string } }).title.text).toContain('0 experiments');
    const one: TreeNode[] = fixtureTree().slice(0, 1);
    expect(treeChartData(one).bestPathIds).toEqual(['e001']);
    expect(layersOf(treeSpec(one)).length).toBeGreaterThan(0);
  });
});
