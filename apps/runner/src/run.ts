/**
 * Entry point of the runner: `npx tsx apps/runner/src/run.ts <workdir> [flags]`, or one of
 * `status`, `report`, `queue` (see cli/args.ts for the grammar).
 */
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
