/**
 * hypothesis_tree.png: the experiment tree laid out left to right by `tidyLayout` (depth across,
 * siblings stacked), each node a circle (a diamond for seeds) coloured by its outcome, labelled
 * with its name above the edge line and its metric below it. The best path — root to the node
 * `bestNode` picks, the same node the tables rank first — is drawn thick and orange on top.
 *
 * Left to right because a research tree is far wider (many tried, few kept) than deep: stacking
 * siblings keeps a 60-node tree legible at one row per leaf. Positions are pixels (`scale: null`)
 * so the tidy layout's spacing is exactly what is drawn; the canvas grows with the tree.
 */
import type { VegaLiteSpec } from '@tsfm/charts';
import { formatMetric, truncate } from './format.js';
import {
  BEST_PATH_COLOR,
  EDGE_COLOR,
  EXPERIMENT_SHAPE,
  MUTED_TEXT,
  OUTCOME_COLORS,
  OUTCOME_LABELS,
  OUTCOME_ORDER,
  SEED_SHAPE,
} from './palette.js';
import { bestNode, bestPath, outcomeOf, type Outcome } from './ranking.js';
import { tidyLayout, type TreeLayout } from './tidy-layout.js';
import type { TreeNode } from './tree-input.js';

/** Distance between depths left to right, and between siblings top down: room for a label of NAME_CHARS. */
export const LABEL_SLOT_PX = 200;
/** Distance between neighbouring slots left to right: a name line above the edge, a metric line below. */
export const ROW_PX = 40;
/** Distance between depths top down: the elbow, a name line and a metric line. */
export const LEVEL_PX = 58;
const NAME_CHARS = 24;
const MARGIN = { left: 16, right: LABEL_SLOT_PX - 24, top: 24, bottom: 16 };
/** Where an edge turns towards its child: just before it, so it never crosses a label. */
const ELBOW_PX = { 'left-right': 20, 'top-down': 24 } as const;
/** A report page is wider than tall: a canvas this much wider than high counts as equally big. */
const LANDSCAPE = 1.5;

/**
 * Left to right suits the usual research tree (many tried, few kept: wide and shallow), one row
 * per leaf; top down suits a long greedy chain, which left to right would make thousands of
 * pixels wide. Whichever keeps the canvas's larger (landscape-weighted) side smaller wins.
 */
export type TreeOrientation = 'left-right' | 'top-down';

export interface TreeNodeMark {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly name: string;
  readonly value: string;
  readonly outcome: string;
  readonly origin: 'seed' | 'planner';
  readonly onBestPath: boolean;
  readonly hypothesis: string;
}

export interface TreeEdgePoint {
  readonly edge: string;
  readonly order: number;
  readonly x: number;
  readonly y: number;
  readonly onBestPath: boolean;
}

export interface TreeChartData {
  readonly layout: TreeLayout;
  readonly orientation: TreeOrientation;
  readonly nodes: TreeNodeMark[];
  readonly edges: TreeEdgePoint[];
  /** Ids from the root to the best node (empty when nothing has a metric yet). */
  readonly bestPathIds: string[];
  readonly width: number;
  readonly height: number;
}

function canvasSize(layout: TreeLayout, orientation: TreeOrientation): { width: number; height: number } {
  const across = orientation === 'left-right' ? layout.maxDepth * LABEL_SLOT_PX : layout.maxBreadth * LABEL_SLOT_PX;
  const down = orientation === 'left-right' ? layout.maxBreadth * ROW_PX : layout.maxDepth * LEVEL_PX;
  return {
    width: Math.max(360, MARGIN.left + across + MARGIN.right),
    height: Math.max(80, MARGIN.top + down + MARGIN.bottom),
  };
}

export function chooseOrientation(layout: TreeLayout): TreeOrientation {
  const score = (orientation: TreeOrientation): number => {
    const { width, height } = canvasSize(layout, orientation);
    return Math.max(width / LANDSCAPE, height);
  };
  return score('top-down') < score('left-right') ? 'top-down' : 'left-right';
}

export function treeChartData(nodes: readonly TreeNode[]): TreeChartData {
  const layout = tidyLayout(nodes);
  const orientation = chooseOrientation(layout);
  const bestPathIds = bestPath(nodes).map((node) => node.id);
  const onPath = new Set(bestPathIds);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const position = (depth: number, breadth: number): [number, number] =>
    orientation === 'left-right'
      ? [MARGIN.left + depth * LABEL_SLOT_PX, MARGIN.top + breadth * ROW_PX]
      : [MARGIN.left + breadth * LABEL_SLOT_PX, MARGIN.top + depth * LEVEL_PX];
  const elbow = ELBOW_PX[orientation];

  const marks: TreeNodeMark[] = [];
  const edges: TreeEdgePoint[] = [];
  for (const point of layout.points) {
    const node = byId.get(point.id);
    if (!node) continue;
    const [x, y] = position(point.depth, point.breadth);
    marks.push({
      id: node.id,
      x,
      y,
      name: truncate(node.name, NAME_CHARS),
      value: valueLabel(node),
      outcome: OUTCOME_LABELS[outcomeOf(node)],
      origin: node.seed ? 'seed' : 'planner',
      onBestPath: onPath.has(node.id),
      hypothesis: truncate(node.hypothesis, 160),
    });
    const parentId = layout.parentOf.get(node.id) ?? null;
    const parent = parentId === null ? undefined : layout.byId.get(parentId);
    if (!parent || parentId === null) continue;
    const [px, py] = position(parent.depth, parent.breadth);
    const corners: Array<[number, number]> =
      orientation === 'left-right'
        ? [
            [px, py],
            [x - elbow, py],
            [x - elbow, y],
            [x, y],
          ]
        : [
            [px, py],
            [px, y - elbow],
            [x, y - elbow],
            [x, y],
          ];
    const edge = `${parentId}->${node.id}`;
    const onBestPath = onPath.has(node.id) && onPath.has(parentId);
    corners.forEach(([ex, ey], order) => edges.push({ edge, order, x: ex, y: ey, onBestPath }));
  }
  return { layout, orientation, nodes: marks, edges, bestPathIds, ...canvasSize(layout, orientation) };
}

export function treeSpec(nodes: readonly TreeNode[]): VegaLiteSpec {
  const data = treeChartData(nodes);
  const best = bestNode(nodes);
  const title = {
    text: `Hypothesis tree: ${nodes.length} experiment${nodes.length === 1 ? '' : 's'}`,
    subtitle: [subtitleFor(best, data.bestPathIds.length - 1)],
    anchor: 'start' as const,
    subtitleColor: MUTED_TEXT,
  };
  if (nodes.length === 0) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      width: 360,
      height: 80,
      background: 'white',
      config: { view: { stroke: null } },
      data: { values: [{ text: 'the tree is empty' }] },
      mark: { type: 'text', fontSize: 13, color: MUTED_TEXT },
      encoding: { text: { field: 'text' } },
    };
  }

  const x = { field: 'x', type: 'quantitative' as const, scale: null, axis: null };
  const y = { field: 'y', type: 'quantitative' as const, scale: null, axis: null };
  const outcomes = OUTCOME_ORDER.filter((outcome: Outcome) =>
    data.nodes.some((mark) => mark.outcome === OUTCOME_LABELS[outcome]),
  );
  const origins = (['seed', 'planner'] as const).filter((origin) => data.nodes.some((mark) => mark.origin === origin));
  const layers: object[] = [
    {
      data: { values: data.edges.filter((point) => !point.onBestPath) },
      mark: { type: 'line', color: EDGE_COLOR, strokeWidth: 1.3, strokeJoin: 'round' },
      encoding: { x, y, detail: { field: 'edge' }, order: { field: 'order' } },
    },
    {
      data: { values: data.edges.filter((point) => point.onBestPath) },
      mark: { type: 'line', color: BEST_PATH_COLOR, strokeWidth: 4, strokeJoin: 'round', strokeCap: 'round' },
      encoding: { x, y, detail: { field: 'edge' }, order: { field: 'order' } },
    },
    {
      // A ring behind the best node, so it stands out even where the path is one node long.
      data: { values: data.nodes.filter((mark) => best && mark.id === best.id) },
      mark: { type: 'point', shape: 'circle', filled: false, size: 520, stroke: BEST_PATH_COLOR, strokeWidth: 3 },
      encoding: { x, y },
    },
    {
      data: { values: data.nodes },
      mark: { type: 'point', filled: true, size: 170, opacity: 1, stroke: '#ffffff', strokeWidth: 1.2 },
      encoding: {
        x,
        y,
        color: {
          field: 'outcome',
          type: 'nominal',
          scale: {
            domain: outcomes.map((outcome) => OUTCOME_LABELS[outcome]),
            range: outcomes.map((outcome) => OUTCOME_COLORS[outcome]),
          },
          legend: {
            title: null,
            orient: 'top',
            direction: 'horizontal',
            symbolStrokeColor: '#888888',
            symbolStrokeWidth: 0.5,
          },
        },
        shape: {
          field: 'origin',
          type: 'nominal',
          scale: {
            domain: origins,
            range: origins.map((origin) => (origin === 'seed' ? SEED_SHAPE : EXPERIMENT_SHAPE)),
          },
          legend: {
            title: null,
            orient: 'top',
            direction: 'horizontal',
            labelExpr: "datum.label === 'seed' ? 'seed experiment' : 'planner proposal'",
          },
        },
        tooltip: [
          { field: 'name' },
          { field: 'value', title: 'metric' },
          { field: 'outcome' },
          { field: 'hypothesis' },
        ],
      },
    },
    // Names on the best path in bold brown, the rest plain: two layers, as a font weight cannot be encoded.
    ...[false, true].map((bold) => ({
      data: { values: data.nodes.filter((mark) => mark.onBestPath === bold) },
      mark: {
        type: 'text',
        align: 'left',
        baseline: 'bottom',
        dx: 11,
        dy: -3,
        fontSize: 11,
        fontWeight: bold ? 'bold' : 'normal',
        color: bold ? '#8a4a00' : '#222222',
      },
      encoding: { x, y, text: { field: 'name' } },
    })),
    {
      data: { values: data.nodes },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 11, dy: 3, fontSize: 10, color: MUTED_TEXT },
      encoding: { x, y, text: { field: 'value' } },
    },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: data.width,
    height: data.height,
    background: 'white',
    config: { view: { stroke: null }, legend: { labelFontSize: 11 } },
    layer: layers,
  } as VegaLiteSpec;
}

function subtitleFor(best: (TreeNode & { metric: number }) | undefined, steps: number): string {
  if (!best) return 'no experiment has a metric yet';
  const what = `${truncate(best.name, 40)} (${formatMetric(best.metric)})`;
  if (steps <= 0) return `best: ${what}, a root of the tree (ringed)`;
  return `thick orange: the best path, ${steps} step${steps === 1 ? '' : 's'} from its root to ${what}`;
}

function valueLabel(node: TreeNode): string {
  const outcome = outcomeOf(node);
  if (outcome === 'crashed') return node.status === 'failed' ? 'failed' : 'crashed';
  if (outcome === 'running') return node.status;
  if (outcome === 'queued') return 'queued';
  return formatMetric(node.metric);
}
