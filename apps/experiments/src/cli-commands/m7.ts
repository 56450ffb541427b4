/** `experiments.ts m7`: loss and latency against K, with its chart. */
import { join } from 'node:path';
import { fleet, harnessOf, int, list, log, num, progress, writeResult, type Context } from '../cli-context.js';
import { DEFAULT_KS, m7ChartSpec, m7Markdown, runM7 } from '../m7.js';
import { modelProvenance, runInfo } from '../provenance.js';
import { writeJson } from '../tuning.js';

export async function m7(ctx: Context): Promise<void> {
  const setup = await fleet(ctx);
  log('m7: latency vs K (single thread)');
  const r = await runM7({
    ...setup,
    model: modelProvenance(setup.modelPath),
    ks: list(ctx.values.ks, DEFAULT_KS.map(String)).map(Number),
    tenants: int(ctx.values, 'm7-tenants', 100),
    originsPerTenant: int(ctx.values, 'm7-origins', 10),
    budgetMs: num(ctx.values, 'budget-ms', 200),
    harness: harnessOf(ctx),
    run: runInfo(ctx.command, 0),
    onProgress: progress('m7'),
  });
  const chart = 'm7-loss-latency.png';
  const spec = m7ChartSpec(r);
  writeJson(ctx.out, 'm7-chart.vl.json', spec);
  const { renderPng } = await import('@tsfm/charts');
  await renderPng(spec as unknown as Parameters<typeof renderPng>[0], join(ctx.out, chart));
  const result = { ...r, chart };
  writeResult(ctx, 'm7', result, m7Markdown);
  log(`m7: largest K within budget ${r.largestKWithinBudget}; wall ${r.run.wallSeconds.toFixed(1)} s`);
}
