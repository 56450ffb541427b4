/**
 * The ledger as an HTML table: every experiment in the report's ranking (rankByMetric: best
 * first, crashes after those with a metric, then running, then queued), one button per header so
 * the table can be re-sorted by mouse or keyboard (client.js). A cell's sort key is its
 * `data-sort` where the text would sort wrong (numbers, "—"), and an empty key means "no value",
 * which sorts last in either direction.
 */
import { formatMetric, truncate } from '../format.js';
import { paramsText } from '../markdown.js';
import { bestNode, hasMetric, rankByMetric } from '../ranking.js';
import { isReference, SEED_ROLE_LABELS, seedRole } from '../seed-roles.js';
import type { TreeNode } from '../tree-input.js';
import { escapeHtml } from './escape.js';

interface Column {
  readonly key: string;
  readonly label: string;
  readonly numeric: boolean;
  readonly cell: (node: TreeNode) => { readonly html: string; readonly sort?: string; readonly className?: string };
}

const HYPOTHESIS_CHARS = 220;

export function ledgerTable(nodes: readonly TreeNode[], anchors: ReadonlyMap<string, string>): string {
  const best = bestNode(nodes);
  const columns: Column[] = [
    {
      key: 'id',
      label: 'id',
      numeric: false,
      cell: (node) => ({
        html: `<a href="#${escapeHtml(anchors.get(node.id) ?? '')}"><code>${escapeHtml(node.id)}</code></a>`,
        sort: node.id,
      }),
    },
    {
      key: 'name',
      label: 'name',
      numeric: false,
      cell: (node) => ({ html: `${escapeHtml(node.name)}${badges(node, best?.id)}`, sort: node.name }),
    },
    {
      key: 'status',
      label: 'status',
      numeric: false,
      cell: (node) => ({
        html: node.error
          ? `<span title="${escapeHtml(node.error)}">${escapeHtml(node.status)}</span>`
          : escapeHtml(node.status),
        sort: node.status,
      }),
    },
    {
      key: 'decision',
      label: 'decision',
      numeric: false,
      cell: (node) => ({
        html: escapeHtml(node.decision ?? '—'),
        sort: node.decision ?? '',
        className: `decision-${node.decision ?? 'none'}`,
      }),
    },
    {
      key: 'metric',
      label: 'metric',
      numeric: true,
      // A crash's metric, should one have been recorded, is not a result: it shows and sorts as none.
      cell: (node) => ({
        html: formatMetric(hasMetric(node) ? node.metric : null),
        sort: hasMetric(node) ? String(node.metric) : '',
        className: 'num',
      }),
    },
    {
      key: 'latency',
      label: 'latency p99 (ms)',
      numeric: true,
      cell: (node) => ({
        html: node.latencyMsP99 === null ? '—' : node.latencyMsP99.toFixed(1),
        sort: node.latencyMsP99 === null ? '' : String(node.latencyMsP99),
        className: 'num',
      }),
    },
    {
      key: 'params',
      label: 'params',
      numeric: false,
      // A break opportunity after each comma, so long params wrap between entries, not inside a key.
      cell: (node) => ({
        html: `<code class="params">${escapeHtml(paramsText(node.params)).replace(/,/g, ',<wbr>')}</code>`,
        sort: paramsText(node.params),
      }),
    },
    {
      key: 'commit',
      label: 'commit',
      numeric: false,
      cell: (node) => ({
        html: node.commit
          ? `<code title="${escapeHtml(node.commit)}">${escapeHtml(node.commit.slice(0, 10))}</code>`
          : '—',
        sort: node.commit ?? '',
      }),
    },
    {
      key: 'hypothesis',
      label: 'hypothesis',
      numeric: false,
      cell: (node) => ({ html: hypothesisHtml(node.hypothesis), sort: node.hypothesis, className: 'hypothesis' }),
    },
  ];

  const header = columns
    .map((column) => {
      // The page opens in rankByMetric order, which is the metric column ascending (missing last).
      const sorted = column.key === 'metric' ? ' aria-sort="ascending"' : '';
      return `<th scope="col" data-key="${column.key}" data-type="${column.numeric ? 'number' : 'text'}"${sorted}><button type="button">${escapeHtml(column.label)}<span class="sort-arrow" aria-hidden="true"></span></button></th>`;
    })
    .join('');
  const rows = rankByMetric(nodes)
    .map((node, rank) => {
      const cells = columns.map((column) => {
        const { html, sort, className } = column.cell(node);
        return `<td${className ? ` class="${className}"` : ''}${sort === undefined ? '' : ` data-sort="${escapeHtml(sort)}"`}>${html}</td>`;
      });
      return `<tr data-id="${escapeHtml(node.id)}" data-rank="${rank}" class="outcome-${rowClass(node, best?.id)}">${cells.join('')}</tr>`;
    })
    .join('\n');
  return [
    '<div class="table-scroll">',
    '<table class="sortable ledger" id="ledger-table">',
    `<caption class="visually-hidden">All experiments; press a column header to sort by it</caption>`,
    `<thead><tr>${header}</tr></thead>`,
    `<tbody>\n${rows}\n</tbody>`,
    '</table>',
    '<p class="sort-status visually-hidden" aria-live="polite"></p>',
    '</div>',
  ].join('\n');
}

function badges(node: TreeNode, bestId: string | undefined): string {
  const marks: string[] = [];
  if (node.id === bestId) marks.push('<span class="badge badge-best">best</span>');
  const role = seedRole(node);
  if (role !== null)
    marks.push(
      `<span class="badge ${isReference(node) ? 'badge-ref' : 'badge-seed'}" title="seed: ${escapeHtml(SEED_ROLE_LABELS[role])}">${isReference(node) ? 'reference' : 'seed'}</span>`,
    );
  return marks.length > 0 ? ` ${marks.join(' ')}` : '';
}

function rowClass(node: TreeNode, bestId: string | undefined): string {
  if (node.id === bestId) return 'best';
  if (node.status === 'failed' || node.decision === 'crash') return 'crashed';
  return node.status === 'completed' ? 'done' : 'pending';
}

/** Long hypotheses are cut in the table (the full text is under Experiments and in the title). */
function hypothesisHtml(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const shown = truncate(flat, HYPOTHESIS_CHARS);
  return shown === flat ? escapeHtml(flat) : `<span title="${escapeHtml(flat)}">${escapeHtml(shown)}</span>`;
}
