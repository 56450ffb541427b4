/**
 * report.md: the full account of a run, deterministic (same workdir files → same bytes; the only
 * times in it are those recorded in the data). Sections: question and setup, seeds, results
 * (every experiment, best first, crashes last) with progress.png, the best path step by step
 * with hypothesis_tree.png, the synthesis, then every experiment with its analysis.
 */
import { basename } from 'node:path';
import { formatChange, formatDelta, formatMetric, METRIC_LABEL } from './format.js';
import { knobEffectsSection, KNOB_EFFECTS_PNG } from './knob-effects-md.js';
import { code, fenced, nestMarkdown, paramsText, table } from './markdown.js';
import {
  bestNode,
  bestPath,
  compareIds,
  countStatuses,
  hasMetric,
  isCandidate,
  outcomeOf,
  rankByMetric,
  relativeChange,
} from './ranking.js';
import { SEED_ROLE_LABELS, seedBaselines, seedRole } from './seed-roles.js';
import {
  BASELINE_HEADERS,
  baselineRows,
  confirmationText,
  countsText,
  noBestText,
  noiseText,
  plannerText,
  statusText,
  verdictText,
} from './summary-md.js';
import type { LedgerRow, ReportInputs, TreeNode } from './tree-input.js';

export const NO_SYNTHESIS = 'Synthesis: not generated (no API key)';
/** A patch longer than this is cut in the report; the full one is in the experiment's commit. */
const PATCH_LINES = 80;

/** `synthesis` null leaves the section out: that is the text handed to the synthesiser. */
export function renderReport(inputs: ReportInputs, synthesis: readonly string[] | null): string {
  const sections = [
    header(inputs),
    setup(inputs),
    seeds(inputs),
    results(inputs),
    knobEffectsSection(inputs.knobEffects),
    ...(inputs.treeFound ? [confirmationSection(inputs)] : []),
    bestPathSection(inputs.nodes),
    ...(synthesis === null ? [] : [['## Synthesis', '', ...synthesis]]),
    experiments(inputs),
    files(inputs),
  ];
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

function header(inputs: ReportInputs): string[] {
  const best = bestNode(inputs.nodes);
  return [
    `# Autoresearch report: ${basename(inputs.paths.root)}`,
    '',
    `- Status: ${statusText(inputs)}`,
    `- Experiments: ${countsText(countStatuses(inputs.nodes))}`,
    `- Best (search split, by the keep rule): ${best ? `**${formatMetric(best.metric)}**${noiseText(best)} — ${best.name} (${code(best.id)})` : noBestText(inputs)}`,
    ...(inputs.treeFound ? [`- Verdict (confirmation split): ${verdictText(inputs)}`] : []),
  ];
}

function setup(inputs: ReportInputs): string[] {
  const lines = ['## Question and setup', ''];
  if (inputs.program) {
    lines.push(
      `From ${code(inputs.program.path)}:`,
      '',
      ...inputs.program.text.split('\n').map((line) => (line ? `> ${line}` : '>')),
      '',
    );
  } else {
    lines.push('No program file was found, so the question is not stated here.', '');
  }
  const config = inputs.config;
  if (config) {
    const setting = (value: unknown, unit = ''): string =>
      value === undefined || value === null ? '—' : `${String(value)}${unit}`;
    lines.push(
      ...table(
        ['setting', 'value'],
        [
          ['planner', `${setting(config.planner)}${config.model ? ` (${config.model})` : ''}`],
          ['max experiments', setting(config.maxExperiments)],
          ['max hours', setting(config.maxHours)],
          ['max planning dollars', setting(config.maxDollars)],
          ['patience (planning rounds)', setting(config.patience)],
          ['concurrency', setting(config.concurrency)],
          ['launch', setting(config.launch)],
          ['job timeout', setting(config.jobTimeoutS, ' s')],
          ['run created', setting(config.createdAt)],
          ['settings changed on resume', String(config.overrides?.length ?? 0)],
        ],
      ),
      '',
    );
  } else {
    lines.push('config.json is missing or unreadable.', '');
  }
  lines.push(
    `Metric: ${METRIC_LABEL}, from the frozen evaluator; lower is better. Every experiment is scored on the search split; ` +
      'a candidate is kept only when its latency budget held and it beats the best so far beyond noise (the paired bootstrap ' +
      'interval over the search tenants lies below zero, or the margin the template declares), and "Best" is the candidate ' +
      'kept most recently. The oracle (configs picked per request with hindsight: a floor) and the best fixed config (the bar ' +
      'to clear) are references. After the search the seeds and the best are scored on the confirmation split, tenants no ' +
      'planner or keep decision ever saw; the verdict is that number.',
  );
  if (inputs.plannerSpend) lines.push('', `Planner: ${plannerText(inputs)}.`);
  return lines;
}

function seeds(inputs: ReportInputs): string[] {
  const nodes = inputs.nodes;
  const seedNodes = nodes.filter((node) => node.seed).sort((a, b) => compareIds(a.id, b.id));
  const lines = ['## Seeds', ''];
  if (seedNodes.length === 0) return [...lines, 'No seed experiments in the tree.'];
  lines.push('Baselines run before planning starts; every later experiment is measured against them.', '');
  lines.push(
    ...table(
      ['id', 'name', 'role', 'search', 'confirmation', 'outcome', 'params'],
      seedNodes.map((node) => [
        code(node.id),
        node.name,
        SEED_ROLE_LABELS[seedRole(node) ?? 'seed'],
        formatMetric(node.metric),
        confirmationText(inputs, node.id),
        outcomeOf(node),
        code(paramsText(node.params)),
      ]),
    ),
  );
  const best = bestNode(nodes);
  const baselines = seedBaselines(nodes);
  if (best && baselines.length > 0) {
    lines.push(
      '',
      `Best (${best.name}, ${formatMetric(best.metric)} on the search split) against them:`,
      '',
      ...table(BASELINE_HEADERS, baselineRows(best, baselines, inputs)),
    );
  }
  return lines;
}

function confirmationSection(inputs: ReportInputs): string[] {
  const lines = ['## Confirmation', ''];
  const confirmation = inputs.confirmation;
  if (!confirmation) {
    return [
      ...lines,
      'Not scored yet: the seeds and the best are scored on the confirmation split when the run ends (or by run.ts report once it has).',
    ];
  }
  lines.push(`Verdict: ${verdictText(inputs)}.`, '');
  lines.push(
    ...table(
      ['id', 'why', 'search', 'confirmation', '95% CI (confirmation)', 'p99 ms', 'over budget', 'tenants'],
      confirmation.entries.map((entry) => {
        const node = inputs.nodes.find((n) => n.id === entry.id);
        return [
          code(entry.id),
          entry.role,
          formatMetric(node?.metric),
          entry.metric === null ? `failed: ${entry.error ?? 'no metric'}` : formatMetric(entry.metric),
          typeof entry.halfWidth === 'number' ? `±${(entry.halfWidth * 100).toFixed(1)}%` : '—',
          typeof entry.latencyMsP99 === 'number' ? entry.latencyMsP99.toFixed(1) : '—',
          typeof entry.overBudget === 'number' ? String(entry.overBudget) : '—',
          typeof entry.tenants === 'number' ? String(entry.tenants) : '—',
        ];
      }),
    ),
  );
  return lines;
}

function results(inputs: ReportInputs): string[] {
  const ranked = rankByMetric(inputs.nodes);
  const lines = ['## Results', ''];
  if (ranked.length === 0) return [...lines, 'No experiments yet.'];
  const harness = seedBaselines(inputs.nodes).find((baseline) => baseline.role === 'harness-default')?.node;
  const best = bestNode(inputs.nodes);
  const reference = harness ?? best;
  lines.push(
    `All ${ranked.length} experiments, lowest search metric first (the best is the candidate kept most recently, not necessarily the lowest); crashed and failed ones after those with a metric, then those still running or queued. ` +
      `"#" ranks candidates only; "ref" marks the reference seeds.`,
    '',
  );
  let rank = 0;
  lines.push(
    ...table(
      [
        '#',
        'id',
        'name',
        'outcome',
        'search',
        harness ? 'vs harness default' : 'vs best',
        'confirmation',
        'latency p99 (ms)',
        'parent',
        'commit',
      ],
      ranked.map((node) => [
        isCandidate(node) ? String(++rank) : hasMetric(node) ? 'ref' : '—',
        code(node.id),
        `${node.name}${node.id === best?.id ? ' **(best)**' : ''}`,
        outcomeOf(node),
        formatMetric(node.metric),
        hasMetric(node) && reference ? formatChange(relativeChange(node.metric, reference.metric)) : '—',
        confirmationText(inputs, node.id),
        node.latencyMsP99 === null ? '—' : node.latencyMsP99.toFixed(1),
        node.parent ? code(node.parent) : '—',
        node.commit ? code(node.commit.slice(0, 10)) : '—',
      ]),
    ),
  );
  lines.push('', '![Progress: metric per experiment with the running best](progress.png)');
  const check = ledgerCheck(inputs.nodes, inputs.ledger);
  if (check.length > 0) lines.push('', ...check);
  return lines;
}

/**
 * results.tsv and tree.json are written by the same adapter and must tell the same story. Rows are
 * matched by commit as multisets of metrics (seeds without a code change can share a commit).
 */
export function ledgerCheck(nodes: readonly TreeNode[], ledger: readonly LedgerRow[] | undefined): string[] {
  if (ledger === undefined) return ['results.tsv: not written yet.'];
  const key = (metric: number | null): string => (metric === null ? 'none' : metric.toPrecision(12));
  const fromTree = new Map<string, string[]>();
  for (const node of nodes) {
    if (node.commit === null || (node.status !== 'completed' && node.status !== 'failed')) continue;
    fromTree.set(node.commit, [...(fromTree.get(node.commit) ?? []), key(hasMetric(node) ? node.metric : null)]);
  }
  const fromLedger = new Map<string, string[]>();
  for (const row of ledger) fromLedger.set(row.commit, [...(fromLedger.get(row.commit) ?? []), key(row.metric)]);
  const problems: string[] = [];
  for (const commit of [...new Set([...fromTree.keys(), ...fromLedger.keys()])].sort()) {
    const tree = (fromTree.get(commit) ?? []).sort().join(', ');
    const rows = (fromLedger.get(commit) ?? []).sort().join(', ');
    if (tree !== rows)
      problems.push(
        `- commit ${code(commit)}: tree.json has [${tree || 'nothing'}], results.tsv has [${rows || 'nothing'}]`,
      );
  }
  if (problems.length === 0)
    return [`results.tsv: ${ledger.length} row${ledger.length === 1 ? '' : 's'}, consistent with engine/tree.json.`];
  const shown = problems.slice(0, 10);
  return [
    `results.tsv disagrees with engine/tree.json for ${problems.length} commit${problems.length === 1 ? '' : 's'} (the tables above use tree.json):`,
    '',
    ...shown,
    ...(problems.length > shown.length ? [`- … and ${problems.length - shown.length} more`] : []),
  ];
}

function bestPathSection(nodes: readonly TreeNode[]): string[] {
  const path = bestPath(nodes);
  const lines = ['## Best path', ''];
  lines.push(
    '![Hypothesis tree: experiments by parent, coloured by outcome, best path highlighted](hypothesis_tree.png)',
    '',
  );
  if (path.length === 0) return [...lines, 'No experiment has a metric yet.'];
  const root = path[0];
  const last = path.at(-1);
  if (root && last && hasMetric(root) && hasMetric(last) && path.length > 1) {
    lines.push(
      `From ${root.name} (${formatMetric(root.metric)}) to ${last.name} (${formatMetric(last.metric)}): ${formatDelta(last.metric - root.metric)} (${formatChange(relativeChange(last.metric, root.metric))}) in ${path.length - 1} step${path.length === 2 ? '' : 's'}.`,
      '',
    );
  }
  path.forEach((node, index) => {
    const parent = index > 0 ? path[index - 1] : undefined;
    let change = node.seed ? `seed (${SEED_ROLE_LABELS[seedRole(node) ?? 'seed']})` : 'root';
    if (parent) {
      change =
        hasMetric(node) && hasMetric(parent)
          ? `${formatDelta(node.metric - parent.metric)} (${formatChange(relativeChange(node.metric, parent.metric))}) vs ${parent.name}`
          : `no metric to compare with ${parent.name}`;
    }
    lines.push(`${index + 1}. **${node.name}** (${code(node.id)}) — ${formatMetric(node.metric)}; ${change}`);
    if (parent) {
      const changed = paramChanges(parent.params, node.params);
      if (changed) lines.push(`   - params: ${changed}`);
    }
    if (node.patch) lines.push('   - with a code patch (see the experiment below)');
    if (node.hypothesis.trim()) lines.push(`   - hypothesis: ${node.hypothesis.replace(/\s+/g, ' ').trim()}`);
  });
  return lines;
}

/** "contextLength 256 → 512, flip — → true": what the child set differently from its parent. */
export function paramChanges(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string {
  const show = (value: unknown): string => (value === undefined ? '—' : JSON.stringify(value));
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort()
    .filter((key) => show(before[key]) !== show(after[key]))
    .map((key) => `${code(key)} ${show(before[key])} → ${show(after[key])}`)
    .join(', ');
}

function experiments(inputs: ReportInputs): string[] {
  const lines = ['## Experiments', ''];
  const nodes = [...inputs.nodes].sort((a, b) => compareIds(a.id, b.id));
  if (nodes.length === 0) return [...lines, 'None yet.'];
  lines.push('Every experiment in id order, with its analysis (`runs/<id>/analysis.md`) where one was written.');
  for (const node of nodes) {
    lines.push('', `### ${node.id}: ${node.name.replace(/\s+/g, ' ')}`, '');
    const facts = [
      `status ${node.status}`,
      `decision ${node.decision ?? '—'}`,
      `metric ${formatMetric(node.metric)}`,
      ...(node.latencyMsP99 === null ? [] : [`latency p99 ${node.latencyMsP99.toFixed(1)} ms`]),
      `parent ${node.parent ? code(node.parent) : '—'}`,
      `commit ${node.commit ? code(node.commit) : '—'}`,
    ];
    lines.push(`- ${facts.join(' · ')}`);
    if (node.startedAt || node.finishedAt) lines.push(`- ran ${node.startedAt ?? '?'} → ${node.finishedAt ?? '…'}`);
    lines.push(`- params ${code(paramsText(node.params))}`);
    if (node.hypothesis.trim()) lines.push(`- hypothesis: ${node.hypothesis.replace(/\s+/g, ' ').trim()}`);
    if (node.error) lines.push(`- error: ${node.error.replace(/\s+/g, ' ').trim()}`);
    if (node.patch) {
      const patchLines = node.patch.replace(/\n$/, '').split('\n');
      const cut = patchLines.length > PATCH_LINES;
      lines.push('', ...fenced(patchLines.slice(0, PATCH_LINES).join('\n'), 'diff'));
      if (cut)
        lines.push(
          `(${patchLines.length - PATCH_LINES} more patch lines in commit ${node.commit ? code(node.commit) : 'of this experiment'})`,
        );
    }
    const analysis = inputs.analyses.get(node.id);
    if (analysis) lines.push('', `#### Analysis (runs/${node.id}/analysis.md)`, '', ...nestMarkdown(analysis, 4));
  }
  return lines;
}

function files(inputs: ReportInputs): string[] {
  const lines = ['## Files', ''];
  lines.push('- `summary.md`, `progress.png`, `hypothesis_tree.png`: this report in brief');
  if (inputs.knobEffects?.knobs.length) lines.push(`- \`${KNOB_EFFECTS_PNG}\`: the knob effects chart`);
  lines.push(
    `- \`results.tsv\`: ${inputs.ledger === undefined ? 'not written yet' : `${inputs.ledger.length} rows (commit, metric, latency, status, description)`}`,
  );
  lines.push(
    `- \`master_table.tsv\`: ${inputs.masterTableRows === undefined ? 'not written yet' : `${inputs.masterTableRows} rows`}`,
  );
  lines.push('- `engine/tree.json`: the experiment tree these tables are built from');
  if (inputs.logFiles.length > 0) lines.push(`- logs: ${inputs.logFiles.map((file) => code(file)).join(', ')}`);
  return lines;
}
