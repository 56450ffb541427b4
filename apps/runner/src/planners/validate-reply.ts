/**
 * Checks a planner reply against its planning context — the part zod cannot see: knob values
 * inside the space, no experiment proposed twice, a patch that touches only the editable file.
 * Every problem is one line a model can act on, because these lines are its retry prompt.
 */
import { completeParams, paramsKey, validateParams } from './param-space.js';
import type { ParamSpace, ParamValues } from './param-space.js';
import { DEFAULT_EDITABLE_FILE } from './planner.js';
import type { PlanningContext } from './planner.js';
import { formatZodIssues, PlanReplySchema } from './proposal-schema.js';
import type { ExperimentProposal, PlanReply } from './proposal-schema.js';

export type ReplyCheck = { ok: true; reply: PlanReply } | { ok: false; problems: string[] };

/** Zod structure first; semantic checks only make sense on a structurally valid reply. */
export function checkReply(input: unknown, context: PlanningContext): ReplyCheck {
  const parsed = PlanReplySchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: formatZodIssues(parsed.error) };
  const problems = checkAgainstContext(parsed.data, context);
  return problems.length === 0 ? { ok: true, reply: parsed.data } : { ok: false, problems };
}

function experimentKey(space: ParamSpace, params: ParamValues, patch: string | undefined): string {
  // A patch makes an experiment different even at the same knob values.
  return `${paramsKey(space, params)}|${patch ?? ''}`;
}

export function checkAgainstContext(reply: PlanReply, context: PlanningContext): string[] {
  const space = context.paramSpace;
  const editable = context.editableFile ?? DEFAULT_EDITABLE_FILE;
  const problems: string[] = [];

  const seenKeys = new Map<string, string>();
  for (const record of context.history)
    seenKeys.set(
      experimentKey(space, record.params, record.patch),
      `history experiment "${record.name}" (id ${record.id})`,
    );
  for (const pending of context.inFlight ?? [])
    seenKeys.set(experimentKey(space, pending.params, pending.patch), `queued experiment "${pending.name}"`);
  const takenNames = new Set([...context.history.map((r) => r.name), ...(context.inFlight ?? []).map((p) => p.name)]);
  const historyIds = new Set(context.history.map((r) => r.id));

  reply.experiments.forEach((experiment, i) => {
    const at = `experiments[${i}] ("${experiment.name}")`;
    for (const problem of validateParams(space, experiment.params)) problems.push(`${at}.params: ${problem}`);

    if (takenNames.has(experiment.name))
      problems.push(`${at}.name: the name "${experiment.name}" is already used; pick a new one`);
    takenNames.add(experiment.name);

    if (experiment.parent !== undefined && !historyIds.has(experiment.parent)) {
      problems.push(`${at}.parent: "${experiment.parent}" is not the id of an experiment in the history`);
    }

    if (experiment.patch !== undefined) {
      for (const problem of checkPatch(experiment.patch, editable)) problems.push(`${at}.patch: ${problem}`);
    }

    if (validateParams(space, experiment.params).length === 0) {
      const key = experimentKey(space, experiment.params, experiment.patch);
      const earlier = seenKeys.get(key);
      if (earlier !== undefined) {
        problems.push(
          `${at}: same parameters${experiment.patch ? ' and patch' : ''} as ${earlier} — ${describeAssignment(space, experiment.params)}; propose something not yet tried`,
        );
      }
      seenKeys.set(key, `experiments[${i}] of this reply`);
    }
  });
  return problems;
}

function describeAssignment(space: ParamSpace, params: ParamValues): string {
  return Object.entries(completeParams(space, params))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
}

/**
 * A unified diff that names only the editable file. Whether it applies cleanly is for the
 * workflow adapter to find out (it owns the worktree); this check only keeps the frozen
 * evaluator and everything else out of reach of a proposal.
 */
export function checkPatch(patch: string, editableFile: string): string[] {
  const lines = patch.split('\n');
  const targets = lines
    .filter((line) => line.startsWith('--- ') || line.startsWith('+++ '))
    .map((line) => line.slice(4).split('\t')[0]?.trim() ?? '')
    .filter((path) => path !== '/dev/null')
    .map((path) => path.replace(/^[ab]\//, ''));
  const problems: string[] = [];
  if (targets.length === 0 || !lines.some((line) => line.startsWith('@@'))) {
    problems.push(`not a unified diff (needs "--- a/${editableFile}", "+++ b/${editableFile}" and "@@" hunk lines)`);
  }
  for (const target of new Set(targets)) {
    if (target !== editableFile) problems.push(`it changes "${target}", but only "${editableFile}" may be changed`);
  }
  return problems;
}

/** Lower priority first; the stable sort keeps the model's order among equal priorities. */
export function sortAndCapProposals(
  experiments: readonly ExperimentProposal[],
  experimentsLeft: number,
): ExperimentProposal[] {
  const sorted = [...experiments].sort((a, b) => a.priority - b.priority);
  return sorted.slice(0, Math.max(0, Math.floor(experimentsLeft)));
}
