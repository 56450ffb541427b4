/** The line that says how to go on after a run stopped: a stop at a cap names the flag that raises it. */
import type { RunConfig } from './run-config.js';

export function resumeHint(stopReason: string | null, root: string, config: RunConfig): string {
  const raise = (flag: string, now: number, next: number) =>
    `Resume with a higher cap: run.ts ${root} ${flag} ${next} (now ${now})`;
  const reason = stopReason?.split(':')[0]?.trim();
  switch (reason) {
    case 'max-experiments':
      return raise(
        '--max-experiments',
        config.maxExperiments,
        config.maxExperiments + Math.max(10, Math.ceil(config.maxExperiments / 2)),
      );
    case 'max-hours':
      return raise('--max-hours', config.maxHours, config.maxHours * 2);
    case 'max-dollars':
      return raise('--max-dollars', config.maxDollars, Math.max(1, config.maxDollars * 2));
    case 'plateau':
      return `Resume with more patience: run.ts ${root} --patience ${config.patience + 2} (now ${config.patience})`;
    default:
      return `Resume with: run.ts ${root}`;
  }
}
