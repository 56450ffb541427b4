/**
 * Which baseline a seed experiment stands for: the node's `seedKind` when the workflow wrote one
 * (workflow/state/tree-schema.ts), else words in its name, id or params (`seed-harness-default`,
 * `{ baseline: 'oracle' }`), for trees written before that field or by hand.
 *
 * Two of them are references, not candidates, as in the workflow's keep/discard rule: the oracle
 * (best config per request in hindsight) is a floor to measure the gap against, and the best fixed
 * config is the bar the harness must clear. The harness default is an ordinary candidate.
 */
import type { TreeNode } from './tree-input.js';

export type SeedRole = 'harness-default' | 'best-fixed' | 'oracle' | 'seed';

/** What a role is read from: a tree node, or a ledger row that has only these. */
export type SeedClues = Pick<TreeNode, 'id' | 'name' | 'params' | 'seed'> & Partial<Pick<TreeNode, 'seedKind'>>;

export const SEED_ROLE_LABELS: Readonly<Record<SeedRole, string>> = {
  'harness-default': 'harness default',
  'best-fixed': 'best fixed config',
  oracle: 'oracle (lower bound)',
  seed: 'seed',
};

/** Params keys that, when they hold a string, say what a seed is. */
const ROLE_KEYS = ['seedRole', 'seedKind', 'baseline', 'role', 'kind', 'strategy'];

const KNOWN_KINDS: readonly string[] = ['harness-default', 'best-fixed', 'oracle'];

export function seedRole(node: SeedClues): SeedRole | null {
  const kind = node.seedKind ?? null;
  if (!node.seed && kind === null) return null;
  if (kind !== null && KNOWN_KINDS.includes(kind)) return kind as SeedRole;
  const words = [
    node.name,
    node.id,
    ...ROLE_KEYS.map((key) => node.params[key]).filter((value): value is string => typeof value === 'string'),
  ]
    .join(' ')
    .toLowerCase();
  // Oracle first: "oracle over the default grid" is an oracle, not the default.
  if (/oracle/.test(words)) return 'oracle';
  if (/fixed/.test(words)) return 'best-fixed';
  if (/default/.test(words)) return 'harness-default';
  return 'seed';
}

/** The oracle and the best fixed config: shown and compared with, never "the best experiment". */
export function isReference(node: SeedClues): boolean {
  const role = seedRole(node);
  return role === 'oracle' || role === 'best-fixed';
}

export interface SeedBaseline {
  readonly role: Exclude<SeedRole, 'seed'>;
  readonly node: TreeNode & { metric: number };
}

/**
 * The named baselines that have a metric, in a fixed order (default, fixed, oracle). Should two
 * seeds claim one role, the lower metric stands for it (ties: smaller id).
 */
export function seedBaselines(nodes: readonly TreeNode[]): SeedBaseline[] {
  const roles = ['harness-default', 'best-fixed', 'oracle'] as const;
  const baselines: SeedBaseline[] = [];
  for (const role of roles) {
    const holders = nodes
      .filter(
        (node): node is TreeNode & { metric: number } =>
          seedRole(node) === role && node.status === 'completed' && node.metric !== null,
      )
      .sort((a, b) => a.metric - b.metric || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const node = holders[0];
    if (node) baselines.push({ role, node });
  }
  return baselines;
}
