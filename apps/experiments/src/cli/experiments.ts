/**
 * The experiments CLI (M6–M9 and the NAB / CSV headline), JSON + markdown outputs.
 *
 *   npx tsx apps/experiments/src/cli/experiments.ts <command> [options]   (or: npm run experiments -w @tsfm/experiments -- …)
 *
 * commands: tune | m6 | m7 | m8 | m9 | nab | csv <file.csv …> | all | doc — `--help` lists the
 * options; apps/experiments/README.md explains them, docs/results.md has the runs.
 */
import { runExperimentsCli } from '../cli-main.js';

try {
  await runExperimentsCli(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`experiments: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
