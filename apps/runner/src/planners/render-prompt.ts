/**
 * Turns a planning context into the text Claude reads. Every call renders the whole context
 * (program, knowledge, history with metrics, knob space, budget, editable source): the planner
 * keeps no conversation between rounds, so nothing it needs may live anywhere else.
 */
import { describeKnob, knobDefault, nonDefaultParams } from './param-space.js';
import type { ParamValues, ParamSpace } from './param-space.js';
import { DEFAULT_EDITABLE_FILE } from './planner.js';
import type { ExperimentRecord, PlanningContext } from './planner.js';
import { PROPOSE_TOOL_NAME } from './proposal-schema.js';

export interface RenderedPrompt {
  readonly system: string;
  readonly user: string;
}

export function renderPrompt(context: PlanningContext): RenderedPrompt {
  const editable = context.editableFile ?? DEFAULT_EDITABLE_FILE;
  const system = [
    context.program.trim(),
    '',
    '---',
    `Reply only by calling the \`${PROPOSE_TOOL_NAME}\` tool. Lower priority numbers run sooner.`,
    'Knobs you do not list in `params` take their default value.',
  ].join('\n');

  const user = [
    section('Budget', renderBudget(context)),
    section('Parameter space', renderSpace(context.paramSpace)),
    section('Knowledge', context.knowledge.trim() === '' ? '(none yet)' : context.knowledge.trim()),
    section('Results so far', renderHistory(context.history, context.paramSpace)),
    section('Queued or running (do not propose again)', renderInFlight(context)),
    section(`Editable source: ${editable}`, fenced(context.sourceOfEditable, 'ts')),
    section(
      'Your task',
      `Study the results, then call \`${PROPOSE_TOOL_NAME}\` with at most ${context.budget.experimentsLeft} new experiments ` +
        '(or action "stop" with an empty list if nothing left is worth running).',
    ),
  ].join('\n\n');
  return { system, user };
}

function section(title: string, body: string): string {
  return `## ${title}\n\n${body}`;
}

function fenced(text: string, lang: string): string {
  // A fence longer than any backtick run inside the text keeps the source from closing it early.
  const longestRun = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

function renderBudget(context: PlanningContext): string {
  return [
    `- experiments left: ${context.budget.experimentsLeft}`,
    `- planning dollars left: $${context.budget.dollarsLeft.toFixed(4)}`,
    ...(context.round === undefined ? [] : [`- planning round: ${context.round}`]),
  ].join('\n');
}

function renderSpace(space: ParamSpace): string {
  const rows = Object.entries(space).map(
    ([name, knob]) =>
      `| ${name} | ${describeKnob(knob)} | ${JSON.stringify(knobDefault(knob))} | ${knob.description ?? ''} |`,
  );
  return ['| knob | allowed | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

function compactParams(space: ParamSpace, params: ParamValues): string {
  const moved = nonDefaultParams(space, params);
  const parts = Object.entries(moved).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length === 0 ? '(defaults)' : parts.join(' ');
}

function cell(text: string | undefined | null): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function renderHistory(history: readonly ExperimentRecord[], space: ParamSpace): string {
  if (history.length === 0) return '(no experiments yet)';
  const rows = history.map(
    (r) =>
      `| ${cell(r.id)} | ${cell(r.name)} | ${cell(r.parent ?? '')} | ${r.status} | ${r.metric === null ? '—' : formatMetric(r.metric)} | ` +
      `${cell(compactParams(space, r.params))}${r.patch ? ' +patch' : ''} | ${cell(r.hypothesis)} | ${cell(r.note)} |`,
  );
  const measured = history.filter(
    (r): r is ExperimentRecord & { metric: number } => r.metric !== null && Number.isFinite(r.metric),
  );
  const best = measured.reduce<(ExperimentRecord & { metric: number }) | undefined>(
    (acc, r) => (acc === undefined || r.metric < acc.metric ? r : acc),
    undefined,
  );
  const summary =
    best === undefined
      ? 'No experiment has produced a metric yet.'
      : `Best so far: ${best.id} "${best.name}" with metric ${formatMetric(best.metric)} (lower is better). ` +
        `${measured.length} of ${history.length} experiments produced a metric.`;
  const patches = history
    .filter((r) => r.patch)
    .map((r) => `Patch of ${r.id} "${r.name}":\n${fenced(r.patch as string, 'diff')}`);
  return [
    summary,
    '',
    '| id | name | parent | status | metric | params (non-default) | hypothesis | note |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    ...(patches.length === 0 ? [] : ['', ...patches]),
  ].join('\n');
}

function renderInFlight(context: PlanningContext): string {
  const pending = context.inFlight ?? [];
  if (pending.length === 0) return '(none)';
  return pending
    .map((p) => `- ${p.name}: ${compactParams(context.paramSpace, p.params)}${p.patch ? ' +patch' : ''}`)
    .join('\n');
}

function formatMetric(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(6);
}
