/** `experiments.ts nab|csv`: the harness and baselines on real series. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BaselineName } from '@tsfm/baselines';
import { harnessOf, int, list, log, modelPath, num, REPO, str, writeResult, type Context } from '../cli-context.js';
import { FLEET_PROTOCOL } from '../protocol.js';
import { modelProvenance, runInfo } from '../provenance.js';
import { DEFAULT_SERIES_BASELINES, runSeries, seriesMarkdown } from '../series.js';

export async function series(ctx: Context, dataset: 'nab' | 'csv'): Promise<void> {
  const nabDir = resolve(str(ctx.values['nab-dir']) ?? join(REPO, '..', 'shared', 'data', 'nab'));
  const nab = existsSync(nabDir)
    ? readdirSync(nabDir)
        .filter((f) => f.toLowerCase().endsWith('.csv'))
        .sort()
        .map((f) => join(nabDir, f))
    : [];
  const files = dataset === 'nab' ? nab : ctx.positionals.map((f) => resolve(f));
  if (files.length === 0)
    throw new Error(
      dataset === 'nab'
        ? `no NAB CSV files in ${nabDir} (pass --nab-dir)`
        : "csv: give one or more 'timestamp,value' CSV files",
    );
  // A user CSV's fixed config is tuned on the NAB files (and any other given CSV), never on itself.
  const tuningFiles = dataset === 'nab' ? nab : [...new Set([...nab, ...files])];
  const path = await modelPath(ctx);
  log(`${dataset}: ${files.length} file(s), tuning pool ${tuningFiles.length} file(s)`);
  const r = await runSeries({
    dataset,
    files,
    tuningFiles,
    modelPath: path,
    model: modelProvenance(path),
    workers: ctx.workers,
    alpha: num(ctx.values, 'alpha', 0.9),
    horizonMinutes: int(ctx.values, 'horizon', 60),
    originsPerFile: int(ctx.values, 'series-origins', 50),
    harness: harnessOf(ctx),
    baselines: ctx.values['no-baselines']
      ? { ...DEFAULT_SERIES_BASELINES, light: [], heavy: [] }
      : {
          ...DEFAULT_SERIES_BASELINES,
          light: list(ctx.values.light, DEFAULT_SERIES_BASELINES.light) as BaselineName[],
          heavy: list(ctx.values.heavy, DEFAULT_SERIES_BASELINES.heavy) as BaselineName[],
          heavyOrigins: int(ctx.values, 'series-heavy-origins', DEFAULT_SERIES_BASELINES.heavyOrigins),
        },
    seed: int(ctx.values, 'seed', FLEET_PROTOCOL.seed),
    tiers: ctx.values['no-tiers'] !== true,
    run: runInfo(ctx.command, ctx.workers),
  });
  writeResult(ctx, dataset, r, seriesMarkdown);
  log(`${dataset}: wall ${r.run.wallSeconds.toFixed(1)} s; dropped ${r.methods.reduce((s, m) => s + m.dropped, 0)}`);
}
