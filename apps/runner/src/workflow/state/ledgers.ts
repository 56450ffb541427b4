/**
 * The two ledgers of a run, appended once per finished experiment through the exactly-once
 * TsvLedger (workdir/tsv-ledger.ts):
 *
 * - `master_table.tsv` — one row per experiment with everything about it (keyed by id).
 * - `results.tsv` — karpathy's five columns: commit, metric, latency, status (keep / discard /
 *   crash), description. A crash has an EMPTY metric, never 0: 0 would read as a perfect score.
 *   The commit is empty when the experiment failed before it was committed (a patch that did not
 *   apply), so the row is keyed by its description, which starts with the experiment id.
 */
import { readFile } from 'node:fs/promises';
import { TsvLedger, type TsvCell } from '../../workdir/tsv-ledger.js';
import type { WorkdirPaths } from '../../workdir/paths.js';
import { SEED_KINDS, TreeNodeSchema, type TreeNode } from './tree-schema.js';

export const MASTER_COLUMNS = [
  'id',
  'parent',
  'name',
  'status',
  'decision',
  'metric',
  'latency',
  'params',
  'commit',
  'started',
  'finished',
  'hypothesis',
] as const;
export const RESULTS_COLUMNS = ['commit', 'metric', 'latency', 'status', 'description'] as const;

export interface Ledgers {
  readonly master: TsvLedger;
  readonly results: TsvLedger;
}

export async function openLedgers(paths: WorkdirPaths, log: (line: string) => void): Promise<Ledgers> {
  const master = await TsvLedger.open(paths.masterTable, MASTER_COLUMNS, {
    keyColumn: 'id',
    label: 'master_table.tsv',
  });
  const results = await TsvLedger.open(paths.results, RESULTS_COLUMNS, {
    keyColumn: 'description',
    label: 'results.tsv',
  });
  for (const ledger of [master, results]) {
    if (ledger.repairedBytes > 0) log(`${ledger.file}: cut a torn last line (${ledger.repairedBytes} bytes)`);
  }
  return { master, results };
}

/** Records a finished node in both ledgers; a no-op for a node already recorded. */
export async function recordInLedgers(ledgers: Ledgers, node: TreeNode): Promise<void> {
  await ledgers.master.appendOnce(masterRow(node));
  await ledgers.results.appendOnce(resultsRow(node));
}

export function masterRow(node: TreeNode): Record<string, TsvCell> {
  return {
    id: node.id,
    parent: node.parent ?? '',
    name: node.name,
    status: node.status,
    decision: node.decision ?? '',
    metric: metricCell(node),
    latency: node.latencyMsP99 ?? '',
    params: JSON.stringify(node.params),
    commit: node.commit ?? '',
    started: node.startedAt ?? '',
    finished: node.finishedAt ?? '',
    hypothesis: node.hypothesis,
  };
}

export function resultsRow(node: TreeNode): Record<string, TsvCell> {
  const crashed = node.decision === 'crash';
  const why = crashed && node.error ? ` — ${node.error.split('\n')[0]}` : '';
  return {
    commit: node.commit ?? '',
    metric: metricCell(node),
    latency: crashed ? '' : (node.latencyMsP99 ?? ''),
    status: node.decision ?? 'crash',
    description: `${node.id}: ${node.name}${why}`,
  };
}

function metricCell(node: TreeNode): TsvCell {
  return node.decision === 'crash' || node.metric === null ? '' : node.metric;
}

/**
 * The finished experiments master_table.tsv records, as tree nodes: what a workdir that lost
 * engine/tree.json (and its checkpoint) still knows, so that nothing finished is run again. The
 * patch is not in the ledger (it is in the experiment's commit); a seed's kind is its id.
 */
export async function nodesFromMasterTable(file: string): Promise<TreeNode[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  if (header !== MASTER_COLUMNS.join('\t')) return [];
  const nodes: TreeNode[] = [];
  for (const line of lines) {
    const cells = Object.fromEntries(MASTER_COLUMNS.map((column, i) => [column, line.split('\t')[i] ?? '']));
    const text = (value: string | undefined) => (value ? value : null);
    const number = (value: string | undefined) => (value ? Number(value) : null);
    const seedKind = SEED_KINDS.find((kind) => cells['id'] === `seed-${kind}`) ?? null;
    let params: unknown = {};
    try {
      params = JSON.parse(cells['params'] || '{}');
    } catch {
      // A params cell that does not parse loses its knobs, not the row.
    }
    const parsed = TreeNodeSchema.safeParse({
      id: cells['id'],
      parent: text(cells['parent']),
      name: cells['name'] || cells['id'],
      hypothesis: cells['hypothesis'] ?? '',
      params,
      patch: null,
      status: cells['status'],
      decision: text(cells['decision']),
      metric: number(cells['metric']),
      latencyMsP99: number(cells['latency']),
      commit: text(cells['commit']),
      seed: seedKind !== null,
      seedKind,
      createdAt: text(cells['started']),
      startedAt: text(cells['started']),
      finishedAt: text(cells['finished']),
      error: null,
    });
    if (parsed.success && ['completed', 'failed', 'cancelled'].includes(parsed.data.status)) nodes.push(parsed.data);
  }
  return nodes;
}
