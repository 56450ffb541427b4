/** `run.ts status <workdir>`: what the engine is doing, from the checkpoint and the lock. */
import { loadRunConfig } from '../workdir/run-config.js';
import { phaseOf, readEngineView } from '../workdir/engine-view.js';
import type { WorkdirPaths } from '../workdir/paths.js';

export async function statusText(paths: WorkdirPaths, json: boolean): Promise<string> {
  const config = await loadRunConfig(paths);
  const view = await readEngineView(paths);
  const cp = view.checkpoint;
  if (json) {
    return JSON.stringify(
      {
        workdir: paths.root,
        status: view.status,
        stopReason: cp?.stopReason ?? null,
        updatedAt: cp?.updatedAt ?? null,
        holder: view.holder ?? null,
        counts: { done: cp?.done.length ?? 0, running: cp?.running.length ?? 0, queued: cp?.queue.length ?? 0 },
        running: cp?.running ?? [],
        queue: cp?.queue ?? [],
        pendingEdits: view.pendingEdits,
        config: config ?? null,
      },
      null,
      2,
    );
  }
  const lines = [`workdir   ${paths.root}`];
  if (!config && !cp)
    return [...lines, 'status    new (no config.json yet): start it with run.ts <workdir> [flags]'].join('\n');
  lines.push(`status    ${describeStatus(view.status, cp?.stopReason ?? null, view.holder, paths.root)}`);
  if (cp) {
    lines.push(`updated   ${cp.updatedAt}`);
    lines.push(`jobs      ${cp.done.length} done, ${cp.running.length} running, ${cp.queue.length} queued`);
  }
  if (config) {
    lines.push(
      `settings  planner ${config.planner}${config.model ? ` (${config.model})` : ''}, concurrency ${config.concurrency}, ` +
        `caps ${config.maxExperiments} experiments / ${config.maxHours} h / $${config.maxDollars}, patience ${config.patience}`,
    );
  }
  if (view.pendingEdits.length > 0)
    lines.push(`edits     ${view.pendingEdits.length} queue edit(s) waiting for the engine`);
  if (cp && cp.running.length > 0) {
    lines.push('running');
    for (const spec of cp.running) lines.push(`  ${spec.id}  ${spec.kind}  ${phaseOf(spec.payload)}`.trimEnd());
  }
  if (cp && cp.queue.length > 0) {
    lines.push('next up');
    cp.queue
      .slice(0, 10)
      .forEach((spec, index) => lines.push(`  ${index + 1}. ${spec.id}  priority ${spec.priority}  ${spec.kind}`));
    if (cp.queue.length > 10) lines.push(`  … ${cp.queue.length - 10} more (run.ts queue <workdir> list)`);
  }
  return lines.join('\n');
}

function describeStatus(
  status: string,
  stopReason: string | null,
  holder: { pid: number; hostname: string; startedAt: string; purpose: string } | undefined,
  root: string,
): string {
  switch (status) {
    case 'running':
      return holder ? `running (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt})` : 'running';
    case 'interrupted':
      return `interrupted (the runner died without a clean stop; resume with: run.ts ${root})`;
    case 'stopped':
      return `stopped${stopReason ? `: ${stopReason}` : ''} (resume with: run.ts ${root})`;
    default:
      return status;
  }
}
