/** `experiments.ts select-harness`: the harness's request defaults, chosen on TUNING tenants. */
import { fleet, int, list, log, progress, writeResult, type Context } from '../cli-context.js';
import {
  HARNESS_VARIANTS,
  harnessSelectionMarkdown,
  runHarnessSelection,
  type HarnessVariant,
} from '../harness-selection.js';
import { modelProvenance, runInfo } from '../provenance.js';

/** --select-variants: a subset of HARNESS_VARIANTS by name (the first listed is the reference). */
export function selectedVariants(ctx: Context): readonly HarnessVariant[] {
  const names = list(
    ctx.values['select-variants'],
    HARNESS_VARIANTS.map((v) => v.name),
  );
  return names.map((n) => {
    const v = HARNESS_VARIANTS.find((x) => x.name === n);
    if (v === undefined)
      throw new Error(`--select-variants: unknown '${n}' (have: ${HARNESS_VARIANTS.map((x) => x.name).join('; ')})`);
    return v;
  });
}

/** The harness's request defaults compared on tuning tenants (harness-selection.ts). */
export async function selectHarness(ctx: Context): Promise<void> {
  const setup = await fleet(ctx);
  log('select-harness: harness defaults on tuning tenants');
  const r = await runHarnessSelection({
    ...setup,
    model: modelProvenance(setup.modelPath),
    workers: ctx.workers,
    tenants: int(ctx.values, 'select-tenants', 60),
    skipTenants: int(ctx.values, 'select-skip', 0),
    variants: selectedVariants(ctx),
    originsPerTenant: int(ctx.values, 'select-origins', 5),
    run: runInfo(ctx.command, ctx.workers),
    onProgress: progress('select-harness'),
  });
  writeResult(ctx, 'harness-selection', r, harnessSelectionMarkdown);
  log(`select-harness: wall ${r.run.wallSeconds.toFixed(1)} s`);
}
