/** `experiments.ts m6`: the headline run, its JSON, markdown and per-point CSV. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  baselinesOf,
  fleet,
  harnessOf,
  int,
  log,
  progress,
  tuning,
  type Context,
  writeResult,
} from '../cli-context.js';
import type { TenantOutcome } from '../evaluate-tenant.js';
import { m6Markdown, runM6, type M6Result } from '../m6.js';
import { modelProvenance, runInfo } from '../provenance.js';

export async function m6(ctx: Context): Promise<{ result: M6Result; outcomes: TenantOutcome[] }> {
  const setup = await fleet(ctx);
  const tuned = await tuning(ctx, false);
  const maxTenants = ctx.values['max-tenants'] === undefined ? undefined : int(ctx.values, 'max-tenants', 0);
  log(
    `m6: ${maxTenants ?? setup.split.evaluation.length} evaluation tenants × ${setup.protocol.originsPerTenant} origins on ${ctx.workers} workers`,
  );
  const r = await runM6({
    ...setup,
    model: modelProvenance(setup.modelPath),
    tuning: tuned,
    workers: ctx.workers,
    harness: harnessOf(ctx),
    baselines: baselinesOf(ctx),
    withPrior: ctx.values['with-prior'] === true,
    ...(maxTenants === undefined ? {} : { maxTenants }),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('m6'),
  });
  writeResult(ctx, 'm6', r.result, m6Markdown);
  writeFileSync(join(ctx.out, 'm6-points.csv'), pointsCsv(r.outcomes));
  log(
    `m6: wall ${r.result.run.wallSeconds.toFixed(1)} s; dropped ${r.result.methods.reduce((s, m) => s + m.dropped, 0)}; wrote ${join(ctx.out, 'm6.md')}`,
  );
  return r;
}

/** Every scored point of every method: tenant, tier, archetype, origin, then one column per method. */
export function pointsCsv(outcomes: readonly TenantOutcome[]): string {
  const names = outcomes[0]?.methods.map((m) => m.name) ?? [];
  const lines = [['tenant', 'tier', 'archetype', 'origin', ...names].join(',')];
  for (const o of outcomes) {
    for (let i = 0; i < o.origins.length; i++) {
      lines.push(
        [
          o.tenantId,
          o.tier ?? '',
          o.archetype ?? '',
          o.origins[i],
          ...o.methods.map((m) => (Number.isFinite(m.loss[i]) ? m.loss[i].toPrecision(6) : '')),
        ].join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
