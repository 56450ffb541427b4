/**
 * A tidy tree layout (Reingold–Tilford in its simple contour form), deterministic and pure.
 *
 * Each node gets a `depth` (edges from its root) and a `breadth` (position across the tree, in
 * units of one node slot). The guarantees the tree chart relies on, and the tests check:
 * - nodes at the same depth are at least one slot apart, so circles and labels never overlap;
 * - a parent sits exactly midway between its first and last child;
 * - subtrees are packed as close as their contours allow, so the picture is as compact as the
 *   tree's shape permits, and the same tree always gives the same layout.
 * Children are ordered by creation time, then id. Several roots (the seeds) are laid out as the
 * children of one invisible root, so the forest is packed and spaced by the same rules.
 *
 * Contours are kept per depth as [min, max] offsets from the subtree's root, which makes placing a
 * child O(depth of its subtree); for the tens of nodes a run has that is far below a millisecond.
 */
import { compareIds } from './ranking.js';
import type { TreeNode } from './tree-input.js';

export interface LayoutPoint {
  readonly id: string;
  readonly depth: number;
  readonly breadth: number;
}

export interface TreeLayout {
  /** In the order the layout visited them: root first, children in order (a pre-order walk). */
  readonly points: readonly LayoutPoint[];
  readonly byId: ReadonlyMap<string, LayoutPoint>;
  /** Parent of each laid-out node, or null for a root (including one whose parent is missing). */
  readonly parentOf: ReadonlyMap<string, string | null>;
  readonly maxDepth: number;
  readonly maxBreadth: number;
}

/** Minimum distance between neighbouring nodes at one depth, in slots. */
const SEPARATION = 1;

type Contour = Array<[number, number]>;

interface Placed {
  readonly id: string;
  /** Offset of each child from this node, in child order. */
  readonly childOffsets: number[];
  readonly children: Placed[];
  readonly contour: Contour;
}

export function tidyLayout(nodes: readonly TreeNode[]): TreeLayout {
  const ids = new Set(nodes.map((node) => node.id));
  const parentOf = new Map<string, string | null>();
  const childrenOf = new Map<string | null, TreeNode[]>();
  for (const node of nodes) {
    // A parent the tree does not hold, or the node itself, would leave it unreachable: root it.
    const parent = node.parent !== null && ids.has(node.parent) && node.parent !== node.id ? node.parent : null;
    parentOf.set(node.id, parent);
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(node);
    childrenOf.set(parent, siblings);
  }
  for (const siblings of childrenOf.values()) siblings.sort(bySiblingOrder);

  const visited = new Set<string>();
  const place = (id: string | null): Placed => {
    if (id !== null) visited.add(id);
    const children = (childrenOf.get(id) ?? [])
      .filter((child) => !visited.has(child.id))
      .map((child) => place(child.id));
    return packChildren(id ?? '', children);
  };
  const forest = place(null);
  // Nodes on a parent cycle are unreachable from any root; lay each cycle out from its smallest id.
  for (const node of [...nodes].sort((a, b) => compareIds(a.id, b.id))) {
    if (visited.has(node.id)) continue;
    parentOf.set(node.id, null);
    const extra = place(node.id);
    const shift = Math.max(0, ...separationsAgainst(forest, extra));
    forest.children.push(extra);
    forest.childOffsets.push(shift);
    mergeContour(forest.contour, extra.contour, shift, 1);
  }

  const points: LayoutPoint[] = [];
  const assign = (placed: Placed, depth: number, breadth: number): void => {
    points.push({ id: placed.id, depth, breadth });
    placed.children.forEach((child, index) => assign(child, depth + 1, breadth + (placed.childOffsets[index] ?? 0)));
  };
  forest.children.forEach((root, index) => assign(root, 0, forest.childOffsets[index] ?? 0));

  const minBreadth = Math.min(0, ...points.map((point) => point.breadth));
  const shifted = points.map((point) => ({ ...point, breadth: tidy(point.breadth - minBreadth) }));
  return {
    points: shifted,
    byId: new Map(shifted.map((point) => [point.id, point])),
    parentOf,
    maxDepth: Math.max(0, ...shifted.map((point) => point.depth)),
    maxBreadth: Math.max(0, ...shifted.map((point) => point.breadth)),
  };
}

function bySiblingOrder(a: TreeNode, b: TreeNode): number {
  const createdA = a.createdAt ?? '';
  const createdB = b.createdAt ?? '';
  if (createdA !== createdB) return createdA < createdB ? -1 : 1;
  return compareIds(a.id, b.id);
}

/** Places children left to right, each as close to the ones before as contours allow, then centres the parent. */
function packChildren(id: string, children: Placed[]): Placed {
  if (children.length === 0) return { id, childOffsets: [], children, contour: [[0, 0]] };
  const merged: Contour = [];
  const offsets: number[] = [];
  for (const child of children) {
    const previous = offsets.at(-1);
    const needed = separationsAgainstContour(merged, child.contour);
    const offset = previous === undefined ? 0 : Math.max(previous + SEPARATION, ...needed);
    offsets.push(offset);
    mergeContour(merged, child.contour, offset, 0);
  }
  const middle = ((offsets[0] ?? 0) + (offsets.at(-1) ?? 0)) / 2;
  const childOffsets = offsets.map((offset) => offset - middle);
  const contour: Contour = [[0, 0], ...merged.map(([min, max]): [number, number] => [min - middle, max - middle])];
  return { id, childOffsets, children, contour };
}

/** For each depth both contours reach, the smallest offset of `right` that keeps it clear of `left`. */
function separationsAgainstContour(left: Contour, right: Contour): number[] {
  const shifts: number[] = [];
  for (let depth = 0; depth < Math.min(left.length, right.length); depth++) {
    shifts.push((left[depth]?.[1] ?? 0) - (right[depth]?.[0] ?? 0) + SEPARATION);
  }
  return shifts;
}

/** The forest's contour starts one level above its roots (the invisible root's own slot). */
function separationsAgainst(forest: Placed, extra: Placed): number[] {
  return separationsAgainstContour(forest.contour.slice(1), extra.contour);
}

/** Widens `into` (whose depth 0 is `levelOffset` levels above `from`'s) with `from` shifted by `shift`. */
function mergeContour(into: Contour, from: Contour, shift: number, levelOffset: number): void {
  from.forEach(([min, max], depth) => {
    const level = depth + levelOffset;
    const current = into[level];
    into[level] = current
      ? [Math.min(current[0], min + shift), Math.max(current[1], max + shift)]
      : [min + shift, max + shift];
  });
}

// Halving produces binary fractions only, but sums of them can still show float noise in a test
// comparing "exactly midway"; 9 decimals is far finer than a pixel.
function tidy(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
