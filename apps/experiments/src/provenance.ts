/**
 * Where a run's numbers come from: the model (name, hash, whether it was ever trained) and the
 * machine and command, recorded in every JSON and printed in every report.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { ModelProvenance, RunInfo } from './report.js';

/** How to run this CLI from the repository root: the prefix of every recorded command. */
export const CLI_COMMAND = 'npx tsx apps/experiments/src/cli/experiments.ts';

/** Where the CLI lived before it became its own app; runs from then recorded this prefix. */
const LEGACY_CLI_COMMAND = 'npx tsx packages/harness/src/cli/experiments.ts';

/**
 * A recorded command as it reruns today: outputs written before the move from packages/harness
 * recorded the old entry path, with the same commands and options, so only the prefix changes.
 */
export function rerunCommand(recorded: string): string {
  return recorded.startsWith(LEGACY_CLI_COMMAND) ? CLI_COMMAND + recorded.slice(LEGACY_CLI_COMMAND.length) : recorded;
}

export function modelProvenance(manifestPath: string): ModelProvenance {
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    name?: string;
    version?: string;
    sha256?: string;
    trainingCorpus?: string | { summary?: string };
    training?: { corpus?: string | { summary?: string }; steps?: number };
  };
  const corpusField = m.training?.corpus ?? m.trainingCorpus ?? 'unknown';
  const corpus = typeof corpusField === 'string' ? corpusField : (corpusField.summary ?? 'unknown');
  // The random-weight stand-in written by random-model.ts says so in its corpus and has 0 steps.
  const untrained = /random weights|^none\b/i.test(corpus) || m.training?.steps === 0;
  return {
    manifestPath,
    name: m.name ?? 'unknown',
    version: m.version ?? '?',
    sha256: m.sha256 ?? '',
    untrained,
    corpus,
  };
}

export function runInfo(command: string, workers: number): Omit<RunInfo, 'wallSeconds'> {
  const cpu = cpus();
  return {
    command,
    startedAt: new Date().toISOString(),
    workers,
    machine: `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores visible, Node ${process.version}`,
    loadAverage: loadavg(),
  };
}
