/**
 * The experiments CLI (M6–M9 and the NAB / CSV headline), JSON + markdown outputs.
 *
 *   npx tsx apps/experiments/src/cli/experiments.ts <command> [options]
 *   (or: npm run experiments -w @tsfm/experiments -- …)
 *
 * commands: tune | m6 | m7 | m8 | m9 | nab | csv <file.csv …> | all | doc — `--help` lists the
 * options; apps/experiments/README.md explains them, docs/results.md has the runs.
 */
import { runExperimentsCli, USAGE } from '../cli-main.js';
import { UsageError } from '../cli-context.js';

try {
  await runExperimentsCli(process.argv.slice(2));
} catch (error) {
  // A usage error repeats the usage (exit 2); anything else is one line that says what to fix.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    error instanceof UsageError ? `experiments: ${message}\n\n${USAGE}\n` : `experiments: ${message}\n`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
