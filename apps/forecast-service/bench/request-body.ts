import { fleetOptions, generateFleet } from '@tsfm/workload-gen';

/**
 * The request issue 13 §2 names, as JSON: one synthetic tenant (workload-gen seed 42), 1 metric
 * (cpu) × the last 7 days at 1 minute, h = 60, tier premium, K = 32. `budgetMs` goes in the body
 * (the harness's budget; none: the service's default).
 */
export function issueRequestBody(options: { budgetMs?: number } = {}): string {
  const [tenant] = generateFleet(fleetOptions({ seed: 42, tenants: 1, days: 8 }));
  if (tenant === undefined) throw new Error('workload-gen returned no tenant for seed 42');
  const cpu = tenant.metrics.cpu;
  const history = { cpu: Array.from(cpu.subarray(cpu.length - 7 * 1440), (v) => Number(v.toPrecision(6))) };
  return JSON.stringify({
    tenantId: tenant.id,
    history,
    horizon: 60,
    tier: 'premium',
    k: 32,
    ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
  });
}
