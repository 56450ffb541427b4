/** Dispatches a parsed command and turns known errors into a message and an exit code. */
import { loadAdapterModule } from './load-adapter.js';
import { parseCommand, USAGE, UsageError } from './args.js';
import { runEngine } from './engine-command.js';
import { queueCommand, QueueEditRefused } from './queue-command.js';
import { writeReport } from '../report/write-report.js';
import { loadRunConfig } from '../workdir/run-config.js';
import { statusText } from './status-command.js';
import { writeHtmlReport } from '../report/index.js';
import { describeFsError, WorkdirFileError } from '../workdir/file-errors.js';
import { WorkdirLockedError } from '../workdir/lock.js';
import { workdirPaths } from '../workdir/paths.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const stdio: Io = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
};

export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  try {
    const command = parseCommand(argv);
    switch (command.kind) {
      case 'help':
        io.out(USAGE);
        return EXIT.ok;
      case 'run':
        await runEngine(command.workdir, command.settings, { ...pollFromEnv(), echo: io.err });
        return EXIT.ok;
      case 'status':
        io.out(await statusText(workdirPaths(command.workdir), command.json));
        return EXIT.ok;
      case 'report': {
        const paths = workdirPaths(command.workdir);
        const config = await loadRunConfig(paths);
        if (!config) {
          io.err(`${paths.root}: no run here yet (no config.json); start one with run.ts <workdir> [flags]`);
          return EXIT.failed;
        }
        const module = await loadAdapterModule(config);
        const ctx = { paths, config, sessionStartedAt: new Date(), log: io.err };
        io.out(`wrote ${await writeReport(paths, ctx, module)}`);
        if (command.html) {
          const html = await writeHtmlReport(paths.root);
          io.out(`wrote ${html.path}${html.fans === 'none' ? ' (no forecast samples in this workdir)' : ''}`);
        }
        return EXIT.ok;
      }
      case 'queue':
        io.out(await queueCommand(workdirPaths(command.workdir), command.action));
        return EXIT.ok;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof WorkdirFileError || error instanceof WorkdirLockedError || error instanceof QueueEditRefused) {
      io.err(error.message);
      return EXIT.failed;
    }
    const fsProblem = describeFsError(error);
    if (fsProblem) {
      io.err(fsProblem);
      return EXIT.failed;
    }
    // Not a user error: a bug or an environment we did not foresee; the stack is for its report.
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return EXIT.failed;
  }
}

/** Undocumented: tests shorten the inbox poll so queue edits land quickly. */
function pollFromEnv(): { pollMs?: number } {
  const value = Number(process.env['TSFM_RUNNER_POLL_MS']);
  return Number.isFinite(value) && value > 0 ? { pollMs: value } : {};
}
