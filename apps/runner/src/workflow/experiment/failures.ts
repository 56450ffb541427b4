/**
 * Why an experiment ended without a metric. Each stage has a name a person can grep for in
 * tree.json's `error`, results.tsv's description and runs/<id>/analysis.md.
 */
export const FAILURE_STAGES = [
  /** The spec itself: a payload or params that do not validate. */
  'invalid-spec',
  /** git: the worktree or the commit could not be made. */
  'prepare',
  /** The patch does not apply to the base commit's editable file. */
  'patch',
  /** The experiment changes a file other than the editable one (the frozen evaluator, say). */
  'integrity',
  /** The experiment source does not type-check. */
  'typecheck',
  /** The launch command could not be started. */
  'launch',
  'timeout',
  'stall',
  /** The job process vanished without an exit status (killed from outside). */
  'lost',
  /** The job exited with a non-zero status. */
  'exit',
  /** The job exited but its output has no valid `metric:` line (or reports dropped requests). */
  'no-metric',
] as const;

export type FailureStage = (typeof FAILURE_STAGES)[number];

export class ExperimentFailure extends Error {
  override readonly name = 'ExperimentFailure';
  constructor(
    readonly stage: FailureStage,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

/** Keeps an error message to what fits a TSV cell and a tree node: the first lines, trimmed. */
export function firstLines(text: string, lines = 12, chars = 2000): string {
  const kept = text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(0, lines)
    .join('\n');
  return kept.length > chars ? `${kept.slice(0, chars)}…` : kept;
}

/**
 * Lines of a Node crash that say nothing about the error: stack frames, the code excerpt's caret,
 * the version footer.
 */
const NOISE = /^(\s+at\s|\s*\^+\s*$|\s*[{}]\s*$|Node\.js v\d|\s*$)/;

/**
 * The line of a failed process's output that names its error — `Error: out of tenants`,
 * `HarnessError [bad-request]: …` — for a one-line note; without one, the last few lines that
 * are not stack frames, braces or Node's version footer (never "} |  | Node.js v20").
 */
export function errorLineOf(output: string, fallbackLines = 3): string {
  const lines = output.split('\n').map((line) => line.trimEnd());
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    const name = /^([A-Za-z_$][\w$]*)[^:]*:/.exec(line)?.[1];
    if ((name && /(Error|Exception)$/.test(name)) || /^Uncaught\b/.test(line)) return line.trim();
  }
  return lines
    .filter((line) => !NOISE.test(line))
    .slice(-fallbackLines)
    .join(' | ');
}
