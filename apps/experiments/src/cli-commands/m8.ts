/** `experiments.ts m8`: cold start by history length. */
import { fleet, harnessOf, int, list, log, progress, tuning, writeResult, type Context } from '../cli-context.js';
import { DEFAULT_COLD_MINUTES, m8Markdown, runM8 } from '../m8.js';
import { modelProvenance, runInfo } from '../provenance.js';

export async function m8(ctx: Context): Promise<void> {
  const setup = await fleet(ctx);
  const tuned = await tuning(ctx, false);
  if (tuned.storeSetDir === null) throw new Error('M8 needs the archetype store set built by tuning');
  log('m8: cold start');
  const r = await runM8({
    ...setup,
    model: modelProvenance(setup.modelPath),
    storeSetDir: tuned.storeSetDir,
    workers: ctx.workers,
    lengths: list(ctx.values.cold, DEFAULT_COLD_MINUTES.map(String)).map(Number),
    tenants: int(ctx.values, 'm8-tenants', 200),
    originsPerTenant: int(ctx.values, 'm8-origins', 5),
    harness: harnessOf(ctx),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('m8'),
  });
  writeResult(ctx, 'm8', r, m8Markdown);
  log(`m8: wall ${r.run.wallSeconds.toFixed(1)} s; dropped ${r.dropped}`);
}
