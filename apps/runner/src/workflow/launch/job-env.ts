/**
 * The environment an experiment's job runs with: built from an allow-list, never inherited whole.
 * The code a job runs was written by a planner (a patch to the editable file), so it must not see
 * the runner's secrets — ANTHROPIC_API_KEY above all, and whatever else a shell exports. What a
 * job needs is only what lets node, git and Slurm work, locale and time zone, and the project's
 * own TSFM_* knobs (TSFM_MODEL_MANIFEST points the evaluator at another model).
 *
 * Everything that starts a job goes through this: the local backend, Slurm's commands (sbatch
 * exports the environment it is run with to the job), and the confirmation runs.
 */

/** Variables passed through by exact name. */
const ALLOWED_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TERM',
  'NODE_OPTIONS',
  'OMP_NUM_THREADS',
  'SLURM_CONF',
]);

/** Variables passed through by prefix: locale settings and the project's own settings. */
const ALLOWED_PREFIXES = ['LC_', 'TSFM_'];

/** Never passed, whatever the lists above say: a key in a TSFM_ name is still a key. */
const SECRET = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

export function jobEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET.test(name)) continue;
    if (ALLOWED_NAMES.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))) out[name] = value;
  }
  return { ...out, ...extra };
}
