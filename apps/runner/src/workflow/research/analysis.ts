/**
 * What a finished experiment means: runs/<id>/analysis.md and the knowledge text the planner
 * reads, computed from the tree, so they read the same whichever process writes them.
 *
 * The keep/discard decision itself is the keep rule (keep-rule.ts), recorded on the node with its
 * reason. "Best" is the candidate kept most recently (currentBest): each keep beat the best before
 * it beyond noise, within the latency budget. Reference seeds — the best fixed config and the
 * oracle — are `keep` when they produced a metric and are never the best: the oracle is a
 * hindsight floor, and the best fixed config is the bar the thesis has to clear, which
 * analysis.md reports next to every result. Nothing here sees a confirmation number.
 */
import { nonDefaultParams, type ParamSpace } from '../../planners/index.js';
import { bestNode } from '../../report/ranking.js';
import type { TreeNode } from '../state/tree-schema.js';
import { baselineOf } from './keep-decision.js';

export interface References {
  readonly bestFixed: (TreeNode & { metric: number }) | undefined;
  readonly oracle: (TreeNode & { metric: number }) | undefined;
  readonly harnessDefault: (TreeNode & { metric: number }) | undefined;
}

function measured(node: TreeNode | undefined): (TreeNode & { metric: number }) | undefined {
  return node && node.status === 'completed' && node.metric !== null
    ? (node as TreeNode & { metric: number })
    : undefined;
}

export function referencesOf(nodes: readonly TreeNode[]): References {
  const find = (kind: TreeNode['seedKind']) => measured(nodes.find((node) => node.seedKind === kind));
  return { bestFixed: find('best-fixed'), oracle: find('oracle'), harnessDefault: find('harness-default') };
}

/**
 * The run's best: the candidate kept most recently — report/ranking.ts's bestNode, the one
 * definition every output shares — optionally leaving one node out.
 */
export function currentBest(nodes: readonly TreeNode[], except?: string): (TreeNode & { metric: number }) | undefined {
  return bestNode(except === undefined ? nodes : nodes.filter((node) => node.id !== except));
}

export function relativeChange(value: number, reference: number): number {
  return (value - reference) / Math.abs(reference || 1);
}

function percent(change: number): string {
  const text = `${(change * 100).toFixed(change !== 0 && Math.abs(change) < 0.001 ? 3 : 1)}%`;
  return change > 0 ? `+${text}` : text.replace('-', '−');
}

function metricText(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6);
}

function describeParams(space: ParamSpace, node: TreeNode): string {
  const moved = Object.entries(nonDefaultParams(space, node.params)).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return moved.length === 0 ? 'all defaults' : moved.join(', ');
}

/** Share of the gap between the harness default and the oracle that `metric` closes. */
function gapClosed(metric: number, refs: References): string | undefined {
  if (!refs.oracle || !refs.harnessDefault) return undefined;
  const gap = refs.harnessDefault.metric - refs.oracle.metric;
  if (!(gap > 0)) return undefined;
  return `${(((refs.harnessDefault.metric - metric) / gap) * 100).toFixed(0)}%`;
}

export interface AnalysisInput {
  readonly node: TreeNode;
  readonly nodes: readonly TreeNode[];
  readonly space: ParamSpace;
  readonly editable: string;
  readonly baseCommit: string | null;
  /** The end of the job's log, for failures that ran. */
  readonly logTail?: string;
}

export function analysisMarkdown({ node, nodes, space, editable, baseCommit, logTail }: AnalysisInput): string {
  const refs = referencesOf(nodes);
  const title = node.status === 'completed' ? `completed, ${node.decision}` : `failed (${node.decision ?? 'crash'})`;
  const lines = [`# ${node.id} — ${node.name}: ${title}`, ''];
  lines.push(`**Hypothesis.** ${node.hypothesis || '(none given)'}`, '');
  const patch = node.patch
    ? `a ${node.patch.split('\n').length}-line patch to ${editable}`
    : `no change to ${editable}`;
  const base = node.parent ? `built on ${node.parent}` : 'built on the anchor';
  lines.push(
    `**What was tried.** ${node.seedKind ? `reference seed (${node.seedKind}); ` : ''}params: ${describeParams(space, node)}; ${patch}; ` +
      `${base}${baseCommit ? ` (${baseCommit.slice(0, 12)})` : ''}; commit ${node.commit ? node.commit.slice(0, 12) : 'none'}.`,
    '',
  );

  if (node.status !== 'completed' || node.metric === null) {
    lines.push(`**What happened.** ${node.error ?? 'no metric'}`, '');
    if (logTail && logTail.trim())
      lines.push('Last lines of the log:', '', '```', ...logTail.trimEnd().split('\n').slice(-20), '```', '');
    lines.push(
      '**Decision.** crash: no metric, so nothing to compare. Read the reason above before proposing anything similar.',
    );
    return lines.join('\n') + '\n';
  }

  const metric = node.metric;
  const noise =
    node.metricHalfWidth === null
      ? ''
      : ` (95% CI ±${(node.metricHalfWidth * 100).toFixed(1)}% over the search tenants)`;
  const budget =
    node.budgetMs === null ? '' : ` against a ${node.budgetMs} ms budget, ${node.overBudget ?? 0} request(s) over it`;
  lines.push(
    `**Result.** metric ${metricText(metric)}${noise} (lower is better)${node.latencyMsP99 === null ? '' : `, latency p99 ${node.latencyMsP99.toFixed(2)} ms${budget}`}.`,
    '',
  );
  const rows: string[] = [];
  const parent = node.parent ? measured(nodes.find((n) => n.id === node.parent)) : undefined;
  if (parent)
    rows.push(
      `| parent ${parent.id} | ${metricText(parent.metric)} | ${percent(relativeChange(metric, parent.metric))} |`,
    );
  const before = nodes.filter(
    (n) => n.finishedAt !== null && (node.finishedAt === null || n.finishedAt <= node.finishedAt),
  );
  const bestBefore = currentBest(before, node.id);
  const baseline = bestBefore ? undefined : baselineOf(before);
  if (bestBefore)
    rows.push(
      `| best candidate before (${bestBefore.id}) | ${metricText(bestBefore.metric)} | ${percent(relativeChange(metric, bestBefore.metric))} |`,
    );
  else if (baseline && baseline.id !== node.id)
    rows.push(
      `| baseline, no candidate kept before (${baseline.id}) | ${metricText(baseline.metric)} | ${percent(relativeChange(metric, baseline.metric))} |`,
    );
  if (refs.bestFixed && refs.bestFixed.id !== node.id)
    rows.push(
      `| best fixed config (${refs.bestFixed.id}) | ${metricText(refs.bestFixed.metric)} | ${percent(relativeChange(metric, refs.bestFixed.metric))} |`,
    );
  if (refs.oracle && refs.oracle.id !== node.id) {
    const closed = gapClosed(metric, refs);
    rows.push(
      `| oracle, the floor (${refs.oracle.id}) | ${metricText(refs.oracle.metric)} | ${percent(relativeChange(metric, refs.oracle.metric))}${closed ? `; closes ${closed} of the default→oracle gap` : ''} |`,
    );
  }
  if (rows.length > 0) lines.push('| compared with | metric | change |', '|---|---|---|', ...rows, '');
  lines.push(`**Decision.** ${decisionSentence(node, metric, bestBefore)}`);
  return lines.join('\n') + '\n';
}

function decisionSentence(
  node: TreeNode,
  metric: number,
  bestBefore: (TreeNode & { metric: number }) | undefined,
): string {
  if (node.seedKind === 'oracle') return 'keep (reference): the hindsight floor; it is never a candidate for best.';
  if (node.seedKind === 'best-fixed')
    return 'keep (reference): the bar per-request search has to clear by more than noise.';
  if (node.decisionReason) return `${node.decision ?? 'undecided'}: ${node.decisionReason}.`;
  if (!bestBefore) return `${node.decision ?? 'undecided'}: the first candidate with a metric.`;
  return `${node.decision ?? 'undecided'}: ${percent(relativeChange(metric, bestBefore.metric))} against the best so far (${bestBefore.id}).`;
}

/** Where analysis.md holds Claude's analysis (`--analysis claude`), after the runner's own. */
export const CLAUDE_ANALYSIS_HEADING = "## Claude's analysis";
/** How many of the latest experiments' Claude analyses the next plan reads. */
export const ANALYSES_IN_KNOWLEDGE = 3;

/** analysis.md with Claude's analysis appended under its heading (or why there is none). */
export function withClaudeAnalysis(offline: string, claude: { text: string } | { error: string }): string {
  const body =
    'text' in claude ? claude.text.trim() : `Not generated: ${claude.error.replace(/\s+/g, ' ').slice(0, 300)}`;
  return `${offline.trimEnd()}\n\n${CLAUDE_ANALYSIS_HEADING}\n\n${body}\n`;
}

/** Claude's analysis in an analysis.md, or undefined when it has none (offline, or the call failed). */
export function claudeAnalysisOf(markdown: string): string | undefined {
  const at = markdown.indexOf(`\n${CLAUDE_ANALYSIS_HEADING}\n`);
  if (at < 0) return undefined;
  const text = markdown.slice(at + CLAUDE_ANALYSIS_HEADING.length + 2).trim();
  return text === '' || text.startsWith('Not generated:') ? undefined : text;
}

export interface ExperimentAnalysis {
  readonly id: string;
  readonly name: string;
  readonly text: string;
}

/** The planner's knowledge: the references, the best so far, the latest crash notes and analyses. */
export function knowledgeText(nodes: readonly TreeNode[], analyses: readonly ExperimentAnalysis[] = []): string {
  const refs = referencesOf(nodes);
  const best = currentBest(nodes);
  const lines = ['References (seed experiments; the oracle and the best fixed config are not candidates):'];
  lines.push(
    `- best fixed config, grid-searched on the tuning tenants: ${refs.bestFixed ? metricText(refs.bestFixed.metric) : 'no metric'}`,
  );
  lines.push(
    `- oracle, each request's best config in hindsight (the floor): ${refs.oracle ? metricText(refs.oracle.metric) : 'no metric'}`,
  );
  lines.push(
    `- per-request harness at its defaults: ${refs.harnessDefault ? metricText(refs.harnessDefault.metric) : 'no metric'}`,
  );
  if (best) {
    const vsFixed = refs.bestFixed
      ? `; ${percent(relativeChange(best.metric, refs.bestFixed.metric))} against the best fixed config`
      : '';
    const closed = gapClosed(best.metric, refs);
    const noise = best.metricHalfWidth === null ? '' : ` (95% CI ±${(best.metricHalfWidth * 100).toFixed(1)}%)`;
    lines.push(
      '',
      `Best so far (the candidate kept most recently; a candidate is kept only when it beats the best beyond noise — its paired bootstrap interval over the search tenants lies below zero — with the latency budget held): ${best.id} "${best.name}" with metric ${metricText(best.metric)}${noise}${vsFixed}${closed ? `; it closes ${closed} of the default→oracle gap` : ''}.`,
    );
  }
  const crashes = nodes
    .flatMap((node) => (node.decision === 'crash' && node.error ? [{ ...node, error: node.error }] : []))
    .slice(-5);
  if (crashes.length > 0) {
    lines.push('', 'Recent crashes:');
    for (const node of crashes) lines.push(`- ${node.id} "${node.name}": ${node.error.split('\n')[0]}`);
  }
  if (analyses.length > 0) {
    lines.push('', 'Analyses of the latest experiments (by Claude, from their search-split results):');
    for (const analysis of analyses) lines.push('', `### ${analysis.id} "${analysis.name}"`, '', analysis.text.trim());
  }
  return lines.join('\n');
}
