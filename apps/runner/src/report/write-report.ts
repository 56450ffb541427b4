/**
 * `run.ts report <workdir>`: writes report.md. A domain that exports `writeReport` writes its own.
 * Otherwise, once the workflow has written engine/tree.json, the research outputs are written
 * (summary.md, progress.png, hypothesis_tree.png, report.md; src/report/). A workdir without a
 * tree (an engine test's, or one from before the workflow ran) gets the engine's domain-free
 * report from durable state: the engine status, the queue, what runs, and results.tsv as a table.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSynthesizer } from '../planners/index.js';
import { treeFile } from './tree-input.js';
import { writeOutputs, type OutputsWritten, type Synthesize, type WriteOutputsOptions } from './write-outputs.js';
import { writeFileAtomic } from '../workdir/atomic-file.js';
import type { WorkdirPaths } from '../workdir/paths.js';
import type { RunAdapterModule, RunContext } from '../workdir/run-context.js';
import { phaseOf, readEngineView } from '../workdir/engine-view.js';

/** Returns the path of report.md. `outputs.synthesize` is passed on when the caller can call a model. */
export async function writeReport(
  paths: WorkdirPaths,
  ctx: RunContext | undefined,
  module: RunAdapterModule | undefined,
  outputs: WriteOutputsOptions = {},
): Promise<string> {
  if (ctx && module?.writeReport) return module.writeReport(ctx);
  if (existsSync(treeFile(paths))) {
    const synthesize = outputs.synthesize ?? (ctx ? reportSynthesizer(ctx) : undefined);
    logSynthesis(ctx, await writeOutputs(paths.root, { ...outputs, synthesize }));
    return paths.report;
  }
  await writeFileAtomic(paths.report, await engineReport(paths));
  return paths.report;
}

/**
 * The synthesis for a report asked for on purpose (`run.ts report`, the end of a run): made by
 * Claude when the run's planner is Claude and a key is set, otherwise none and the report says
 * so. The per-completion background regeneration never gets one: it would cost a call per
 * experiment. A misconfiguration (a model without a price) costs the synthesis, not the report.
 */
export function reportSynthesizer(ctx: RunContext): Synthesize | undefined {
  const { config } = ctx;
  try {
    const { synthesize, why } = createSynthesizer({
      // As the workflow picks its planner: "claude" without a key means offline, so no synthesis.
      kind: config.planner === 'claude' ? 'auto' : 'offline',
      ...(config.model ? { model: config.model } : {}),
      logDir: ctx.paths.logsDir,
      maxDollars: config.maxDollars,
    });
    if (synthesize) ctx.log(`report: ${why}`);
    return synthesize;
  } catch (error) {
    ctx.log(`report: no synthesis (${(error as Error).message})`);
    return undefined;
  }
}

/** One line saying what became of the synthesis, when one was asked for. */
export function logSynthesis(
  ctx: RunContext | undefined,
  written: Pick<OutputsWritten, 'synthesis'> | undefined,
): void {
  if (!ctx || !written || written.synthesis === 'not-requested') return;
  const what = {
    generated: 'generated (one API call, logged in logs/planner-calls.jsonl)',
    cached: 'unchanged inputs, reused from logs/report-synthesis.json (no API call)',
    failed: 'not generated; report.md says why',
  }[written.synthesis];
  ctx.log(`report: synthesis ${what}`);
}

export async function engineReport(paths: WorkdirPaths): Promise<string> {
  const view = await readEngineView(paths);
  const cp = view.checkpoint;
  const lines = [`# Run report — ${paths.root}`, ''];
  lines.push(`- status: **${view.status}**${cp?.stopReason ? ` (${cp.stopReason})` : ''}`);
  if (cp) {
    lines.push(
      `- done ${cp.done.length}, running ${cp.running.length}, queued ${cp.queue.length}`,
      `- checkpoint written ${cp.updatedAt}`,
    );
  }
  if (view.pendingEdits.length > 0) lines.push(`- queue edits waiting: ${view.pendingEdits.length}`);
  if (cp && cp.running.length > 0) {
    lines.push('', '## Running', '', '| id | kind | phase |', '|---|---|---|');
    for (const spec of cp.running) lines.push(`| ${spec.id} | ${spec.kind} | ${phaseOf(spec.payload)} |`);
  }
  if (cp && cp.queue.length > 0) {
    lines.push('', '## Queued (next first)', '', '| # | id | priority | kind |', '|---|---|---|---|');
    cp.queue.forEach((spec, index) => lines.push(`| ${index + 1} | ${spec.id} | ${spec.priority} | ${spec.kind} |`));
  }
  const results = await readFile(paths.results, 'utf8').catch(() => undefined);
  if (results) {
    const rows = results
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => line.split('\t'));
    const [header, ...body] = rows;
    if (header) {
      lines.push(
        '',
        `## results.tsv (${body.length} rows)`,
        '',
        `| ${header.join(' | ')} |`,
        `|${header.map(() => '---').join('|')}|`,
      );
      for (const row of body) lines.push(`| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`);
    }
  }
  return lines.join('\n') + '\n';
}
