/**
 * The one error type that crosses the provisioning API. Every rejection is a caller problem
 * (`bad-request`): a field with the wrong shape, a forecast shorter than the longest horizon, a
 * metric with a forecast but no current allocation. Each issue names the field by its path
 * (`forecasts.cpu.quantiles`, `options.minReplicas`) so the service can return it verbatim and a
 * caller can fix the request without reading this package.
 *
 * Too little history is NOT an error: it is the documented cold-start result.
 */
export interface ProvisioningIssue {
  /** Dotted path of the offending field, e.g. `options.perReplicaCapacity.cpu`; `(request)` for the root. */
  readonly path: string;
  readonly message: string;
}

export class ProvisioningError extends Error {
  override readonly name = 'ProvisioningError';
  readonly code = 'bad-request' as const;
  readonly issues: readonly ProvisioningIssue[];

  constructor(issues: readonly ProvisioningIssue[]) {
    super(`bad-request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** Dotted path from a zod issue path (record keys and array indices alike). */
export function issuePath(path: readonly PropertyKey[], prefix = ''): string {
  const joined = path.map(String).join('.');
  if (prefix === '') return joined === '' ? '(request)' : joined;
  return joined === '' ? prefix : `${prefix}.${joined}`;
}
