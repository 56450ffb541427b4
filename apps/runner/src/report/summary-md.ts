/**
 * summary.md: one screen for someone checking on a run — where it stands, how many experiments
 * did what, the best one and what it beat, the top five. Everything else is in report.md.
 */
import { basename } from 'node:path';
import { formatChange, formatMetric, METRIC_LABEL } from './format.js';
import { code, paramsText, table } from './markdown.js';
import { bestNode, countStatuses, isCandidate, rankByMetric, relativeChange, type StatusCounts } from './ranking.js';
import { SEED_ROLE_LABELS, seedBaselines, type SeedBaseline } from './seed-roles.js';
import type { ReportInputs, TreeNode } from './tree-input.js';

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
      `- **Best:** ${best.name} (${code(best.id)}): **${formatMetric(best.metric)}** ${METRIC_LABEL} (lower is better)`,
    );
    lines.push(`  - params ${code(paramsText(best.params))}${best.commit ? `, commit ${code(best.commit)}` : ''}`);
  } else {
    lines.push('- **Best:** none yet (no experiment has completed with a metric)');
  }
  if (inputs.plannerSpend) lines.push(`- **Planner:** ${plannerText(inputs)}`);

  if (best && baselines.length > 0) {
    lines.push('', '## Against the seed baselines', '');
    lines.push(...table(['baseline', 'experiment', 'metric', 'best vs baseline'], baselineRows(best, baselines)));
  }

  const top = rankByMetric(nodes).filter(isCandidate).slice(0, TOP_N);
  if (top.length > 0) {
    const reference = baselines.find((baseline) => baseline.role === 'harness-default')?.node;
    lines.push('', `## Top ${top.length}`, '');
    lines.push(
      ...table(
        ['#', 'experiment', 'metric', reference ? 'vs harness default' : 'vs best', 'decision', 'commit'],
        top.map((node, index) => [
          String(index + 1),
          `${node.name} (${code(node.id)})`,
          formatMetric(node.metric),
          formatChange(relativeChange(node.metric, (reference ?? best)?.metric ?? node.metric)),
          node.decision ?? '—',
          node.commit ? code(node.commit.slice(0, 10)) : '—',
        ]),
      ),
    );
  }
  lines.push(
    '',
    'Details: [report.md](report.md) · [progress.png](progress.png) · [hypothesis_tree.png](hypothesis_tree.png) · results.tsv',
  );
  return lines.join('\n') + '\n';
}

/** "stopped (plateau: …)"; "not started" before the engine wrote a checkpoint. */
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
    `${counts.running} running`,
    `${counts.queued} queued`,
  ];
  return `${counts.total} (${parts.join(', ')}; ${counts.seeds} seed${counts.seeds === 1 ? '' : 's'})`;
}

export function plannerText(inputs: ReportInputs): string {
  const spend = inputs.plannerSpend;
  const who = inputs.config?.planner
    ? `${inputs.config.planner}${inputs.config.model ? ` (${inputs.config.model})` : ''}`
    : 'planner';
  if (!spend) return who;
  const parts = [
    ...(spend.rounds === undefined ? [] : [`${spend.rounds} planning round${spend.rounds === 1 ? '' : 's'}`]),
    ...(spend.calls === undefined ? [] : [`${spend.calls} logged API call${spend.calls === 1 ? '' : 's'}`]),
    `$${spend.dollars.toFixed(4)} spent`,
  ];
  return `${who}: ${parts.join(', ')}`;
}

/**
 * How far the best run is from each baseline. Against the oracle the best is normally above it,
 * so the useful number is how much of the default→oracle gap the search closed.
 */
export function baselineRows(best: TreeNode & { metric: number }, baselines: readonly SeedBaseline[]): string[][] {
  const harness = baselines.find((baseline) => baseline.role === 'harness-default')?.node;
  return baselines.map(({ role, node }) => {
    let comparison = formatChange(relativeChange(best.metric, node.metric));
    if (role === 'oracle' && harness && harness.metric !== node.metric) {
      const closed = (harness.metric - best.metric) / (harness.metric - node.metric);
      comparison += `; closes ${(closed * 100).toFixed(0)}% of the gap from the harness default`;
    }
    return [
      SEED_ROLE_LABELS[role],
      `${node.name} (${code(node.id)})`,
      formatMetric(node.metric),
      node.id === best.id ? 'is the best' : comparison,
    ];
  });
}
