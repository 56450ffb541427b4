/**
 * Thrown when a planner cannot be built or run as configured: no API key for an explicit
 * `kind: 'claude'`, a model without a price (the dollar cap could not be enforced), a malformed
 * parameter space. These are set-up mistakes, so they fail loudly before any call is made;
 * bad replies from the model are not errors but recorded failures in the `PlanOutcome`.
 */
export class PlannerConfigError extends Error {
  override readonly name = 'PlannerConfigError';
}
