/**
 * summary.md: one screen for someone checking on a run — where it stands, how many experiments
 * did what, the best one and what it beat, the top five. Everything else is in report.md.
 */
import { basename } from 'node:path';
import { formatChange, formatMetric, METRIC_LABEL } from './format.js';
import { code, paramsText, table } from './markdown.js';
import { sortedQuantile } from '@tsfm/numerics';
import {
  bestNode,
  countStatuses,
  hasMetric,
  isCandidate,
  rankByMetric,
  relativeChange,
  type StatusCounts,
} from './ranking.js';
import { SEED_ROLE_LABELS, seedBaselines, type SeedBaseline } from './seed-roles.js';
import { confirmationOf, type ReportInputs, type TreeNode } from './tree-input.js';

export const TOP_N = 5;

export function renderSummary(inputs: ReportInputs): string {
  const { nodes } = inputs;
  const counts = countStatuses(nodes);
  const best = bestNode(nodes);
  const baselines = seedBaselines(nodes);
  const lines = [`# Run summary: ${basename(inputs.paths.root)}`, ''];
  lines.push(`- **Status:** ${statusText(inputs)}`);
  lines.push(`- **Experiments:** ${countsText(counts)}`);
  if (best) {
    lines.push(
      `- **Best** (search split, by the keep rule): ${best.name} (${code(best.id)}): **${formatMetric(best.metric)}**${noiseText(best)} ${METRIC_LABEL} (lower is better)`,
    );
    lines.push(`  - params ${code(paramsText(best.params))}${best.commit ? `, commit ${code(best.commit)}` : ''}`);
    if (best.decisionReason) lines.push(`  - kept: ${best.decisionReason}`);
  } else {
    lines.push(`- **Best:** ${noBestText(inputs)}`);
  }
  const noise = runNoiseText(nodes);
  if (noise) lines.push(`- **Noise** (search split, 95% CI half-widths): ${noise}`);
  const cost = runCostText(nodes);
  if (cost) lines.push(`- **Cost per experiment:** ${cost}`);
  lines.push(`- **Verdict** (confirmation split): ${verdictText(inputs)}`);
  if (inputs.plannerSpend) lines.push(`- **Planner:** ${plannerText(inputs)}`);

  if (best && baselines.length > 0) {
    lines.push('', '## Against the seed baselines', '');
    lines.push(...table(BASELINE_HEADERS, baselineRows(best, baselines, inputs)));
  } else if (baselines.length > 0) {
    // No best to compare with: the seeds themselves on both splits are the run's result.
    lines.push('', '## Seed baselines', '');
    lines.push(
      ...table(
        ['baseline', 'experiment', 'search', 'confirmation', 'p99 ms', 'decision'],
        baselines.map(({ role, node }) => [
          SEED_ROLE_LABELS[role],
          `${node.name} (${code(node.id)})`,
          formatMetric(node.metric),
          confirmationText(inputs, node.id),
          node.latencyMsP99 === null ? '—' : node.latencyMsP99.toFixed(1),
          node.decision ?? '—',
        ]),
      ),
    );
  }

  const top = rankByMetric(nodes).filter(isCandidate).slice(0, TOP_N);
  if (top.length > 0) {
    const reference = baselines.find((baseline) => baseline.role === 'harness-default')?.node;
    lines.push('', `## Top ${top.length} by search metric`, '');
    lines.push(
      ...table(
        [
          '#',
          'experiment',
          'search',
          reference ? 'vs harness default' : 'vs best',
          'confirmation',
          'p99 ms',
          'decision',
          'commit',
        ],
        top.map((node, index) => [
          String(index + 1),
          `${node.name} (${code(node.id)})${node.id === best?.id ? ' **best**' : ''}`,
          formatMetric(node.metric),
          formatChange(relativeChange(node.metric, (reference ?? best)?.metric ?? node.metric)),
          confirmationText(inputs, node.id),
          node.latencyMsP99 === null ? '—' : node.latencyMsP99.toFixed(1),
          node.decision ?? '—',
          node.commit ? code(node.commit.slice(0, 10)) : '—',
        ]),
      ),
    );
  }
  lines.push(
    '',
    'Search: the split every experiment is scored on and the planner sees; confirmation: tenants scored only for the seeds and the best after the search. ' +
      'Details: [report.md](report.md) · [progress.png](progress.png) · [hypothesis_tree.png](hypothesis_tree.png) · results.tsv',
  );
  return lines.join('\n') + '\n';
}

/** " (95% CI ±3.1%)" when the node's metric interval is known. */
/** The half-width a keep decision should reach (issue 12's target), and what the line says it would take. */
export const TARGET_PAIRED_HALF_WIDTH = 0.005;

/**
 * The run's measured noise: the median half-width of the metric's own interval (which tenants
 * are drawn) and of the keep decisions' paired intervals (candidate − incumbent on the same
 * tenants, what keep/discard actually rests on). Undefined before either was measured.
 */
export function runNoiseText(nodes: readonly TreeNode[]): string | undefined {
  const medianOf = (values: number[]) =>
    sortedQuantile(
      values.sort((a, b) => a - b),
      0.5,
    );
  const metric = nodes.flatMap((node) =>
    hasMetric(node) && typeof node.metricHalfWidth === 'number' ? [node.metricHalfWidth] : [],
  );
  const paired = nodes.flatMap((node) => (typeof node.decisionHalfWidth === 'number' ? [node.decisionHalfWidth] : []));
  const parts: string[] = [];
  if (metric.length > 0)
    parts.push(
      `the metric ±${(medianOf(metric) * 100).toFixed(1)}% (median over ${metric.length} experiment${metric.length === 1 ? '' : 's'})`,
    );
  if (paired.length > 0) {
    const half = medianOf(paired);
    // Noise falls as 1/√requests: k times the requests narrows the interval √k times.
    const factor = Math.ceil((half / TARGET_PAIRED_HALF_WIDTH) ** 2);
    parts.push(
      `a keep decision's paired candidate − incumbent ±${(half * 100).toFixed(2)}% (median over ${paired.length} decision${paired.length === 1 ? '' : 's'})` +
        (factor > 1
          ? `; ±${TARGET_PAIRED_HALF_WIDTH * 100}% would take about ${factor}× the search split's requests`
          : ''),
    );
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * What one experiment costs: CPU seconds of its evaluation (the evaluator's `cpu_s`, start-up
 * included) and wall seconds from start to finish. CPU is the figure a split size is judged by —
 * wall time also counts whatever else the machine was doing.
 */
export function runCostText(nodes: readonly TreeNode[]): string | undefined {
  const measured = nodes.filter((node) => node.status === 'completed');
  const cpu = measured.flatMap((node) => (typeof node.cpuS === 'number' ? [node.cpuS] : [])).sort((a, b) => a - b);
  const wall = measured
    .flatMap((node) =>
      node.startedAt && node.finishedAt ? [(Date.parse(node.finishedAt) - Date.parse(node.startedAt)) / 1000] : [],
    )
    .filter((seconds) => Number.isFinite(seconds) && seconds >= 0)
    .sort((a, b) => a - b);
  const parts: string[] = [];
  if (cpu.length > 0)
    parts.push(
      `CPU median ${sortedQuantile(cpu, 0.5).toFixed(1)} s, max ${cpu[cpu.length - 1].toFixed(1)} s (${cpu.length} experiment${cpu.length === 1 ? '' : 's'}, evaluator start-up included)`,
    );
  if (wall.length > 0)
    parts.push(`wall median ${sortedQuantile(wall, 0.5).toFixed(1)} s, max ${wall[wall.length - 1].toFixed(1)} s`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export function noiseText(node: TreeNode): string {
  return typeof node.metricHalfWidth === 'number' ? ` (95% CI ±${(node.metricHalfWidth * 100).toFixed(1)}%)` : '';
}

/** A node's confirmation metric, "—" when it was not confirmed, or why it failed. */
export function confirmationText(inputs: Pick<ReportInputs, 'confirmation'>, id: string): string {
  const entry = confirmationOf(inputs, id);
  if (!entry) return '—';
  if (entry.metric === null) return 'failed';
  return formatMetric(entry.metric);
}

export function verdictText(inputs: Pick<ReportInputs, 'confirmation'>): string {
  const verdict = inputs.confirmation?.verdict;
  if (verdict) return verdict.sentence;
  if (inputs.confirmation) return 'the best has no confirmation metric (see report.md)';
  return 'not scored yet (the seeds and the best are scored on the confirmation split when the run ends, or by run.ts report)';
}

/** "stopped (plateau: …)"; "not started" before the engine wrote a checkpoint. */
/**
 * The Best line when no candidate was kept. "none yet" on a finished run read as if the run had
 * broken off; when the search is over, say what stands instead: the harness default, which every
 * candidate had to beat beyond noise.
 */
export function noBestText(inputs: ReportInputs): string {
  const finished = inputs.engineStatus === 'completed' || inputs.stopReason !== undefined;
  if (!finished) return 'none yet (no candidate has been kept)';
  const reference = seedBaselines(inputs.nodes).find((baseline) => baseline.role === 'harness-default')?.node;
  return reference && hasMetric(reference)
    ? `none: no candidate beat the harness default (${reference.id}, ${formatMetric(reference.metric)}) beyond noise`
    : 'none: no candidate was kept';
}

export function statusText(inputs: ReportInputs): string {
  const status = inputs.engineStatus ?? (inputs.treeFound ? 'unknown (no engine/checkpoint.json)' : 'not started');
  return inputs.stopReason ? `${status} — stop reason: ${inputs.stopReason}` : status;
}

export function countsText(counts: StatusCounts): string {
  if (counts.total === 0) return 'none yet';
  const parts = [
    `${counts.completed} completed`,
    `${counts.kept} kept`,
    `${counts.discarded} discarded`,
    ...(counts.undecided > 0 ? [`${counts.undecided} without a decision`] : []),
    `${counts.crashed} crashed or failed`,
    ...(counts.cancelled > 0 ? [`${counts.cancelled} cancelled`] : []),
    `${counts.running} running`,
    `${counts.queued} queued`,
  ];
  return `${counts.total} (${parts.join(', ')}; ${counts.seeds} seed${counts.seeds === 1 ? '' : 's'})`;
}

export function plannerText(inputs: ReportInputs): string {
  const spend = inputs.plannerSpend;
  const planner = inputs.config?.planner;
  const who =
    planner === undefined
      ? 'planner'
      : planner === 'offline'
        ? `offline (seed ${inputs.offlineSeed})`
        : `${planner}${inputs.config?.model ? ` (${inputs.config.model})` : ''}`;
  if (!spend) return who;
  const parts = [
    ...(spend.rounds === undefined ? [] : [`${spend.rounds} planning round${spend.rounds === 1 ? '' : 's'}`]),
    ...(spend.calls === undefined ? [] : [`${spend.calls} logged API call${spend.calls === 1 ? '' : 's'}`]),
    `$${spend.dollars.toFixed(4)} spent${spend.synthesisDollars > 0 ? ` (of which report synthesis $${spend.synthesisDollars.toFixed(4)})` : ''}`,
  ];
  return `${who}: ${parts.join(', ')}`;
}

export const BASELINE_HEADERS = [
  'baseline',
  'experiment',
  'search',
  'confirmation',
  'best vs baseline (search)',
  'best vs baseline (confirmation)',
];

/**
 * How far the best run is from each baseline, on both splits. Against the oracle the best is
 * normally above it, so the useful number is how much of the default→oracle gap the search closed.
 */
export function baselineRows(
  best: TreeNode & { metric: number },
  baselines: readonly SeedBaseline[],
  inputs: Pick<ReportInputs, 'confirmation'>,
): string[][] {
  const harness = baselines.find((baseline) => baseline.role === 'harness-default')?.node;
  const confirmed = (id: string | undefined) =>
    id === undefined ? undefined : (confirmationOf(inputs, id)?.metric ?? undefined);
  const bestConfirmed = confirmed(best.id);
  return baselines.map(({ role, node }) => {
    const comparison = (bestValue: number | undefined, value: number | undefined, harnessValue: number | undefined) => {
      if (bestValue === undefined || value === undefined) return '—';
      let text = formatChange(relativeChange(bestValue, value));
      if (role === 'oracle' && harnessValue !== undefined && harnessValue !== value) {
        const closed = (harnessValue - bestValue) / (harnessValue - value);
        text += `; closes ${(closed * 100).toFixed(0)}% of the gap from the harness default`;
      }
      return text;
    };
    return [
      SEED_ROLE_LABELS[role],
      `${node.name} (${code(node.id)})`,
      formatMetric(node.metric),
      confirmationText(inputs, node.id),
      node.id === best.id ? 'is the best' : comparison(best.metric, node.metric, harness?.metric),
      node.id === best.id ? 'is the best' : comparison(bestConfirmed, confirmed(node.id), confirmed(harness?.id)),
    ];
  });
}
