/** `experiments.ts m9`: under-provisioning per tier, alone or from an M6 run's outcomes. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleet, harnessOf, int, log, progress, writeResult, type Context } from '../cli-context.js';
import type { M6Result } from '../m6.js';
import { m9Markdown, runM9 } from '../m9.js';
import { modelProvenance, runInfo } from '../provenance.js';

export async function m9(ctx: Context, fromRun: M6Result | null): Promise<void> {
  const setup = await fleet(ctx);
  let m6Result = fromRun;
  if (m6Result === null) {
    const file = join(ctx.out, 'm6.json');
    if (!existsSync(file)) throw new Error(`M9 reads M6's provisioning tallies from ${file}: run 'm6' first`);
    m6Result = JSON.parse(readFileSync(file, 'utf8')) as M6Result;
  }
  log('m9: SLA tiers');
  const r = await runM9({
    ...setup,
    model: modelProvenance(setup.modelPath),
    m6: m6Result,
    workers: ctx.workers,
    tenants: int(ctx.values, 'm9-tenants', 100),
    originsPerTenant: int(ctx.values, 'm9-origins', 10),
    harness: harnessOf(ctx),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('m9'),
  });
  writeResult(ctx, 'm9', r, m9Markdown);
  log(`m9: wall ${r.run.wallSeconds.toFixed(1)} s`);
}
