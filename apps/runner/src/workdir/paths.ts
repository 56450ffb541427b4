/** Where everything lives in a workdir; the one place that spells out file names. */
import { join, resolve } from 'node:path';

export interface WorkdirPaths {
  readonly root: string;
  readonly config: string;
  readonly engineDir: string;
  readonly checkpoint: string;
  readonly lock: string;
  /** Human-readable snapshots, rewritten with every checkpoint. */
  readonly queueSnapshot: string;
  readonly activeSnapshot: string;
  /** Queue edits waiting for the engine, and where they are filed once decided. */
  readonly commandsDir: string;
  readonly appliedDir: string;
  readonly rejectedDir: string;
  readonly logsDir: string;
  readonly runnerLog: string;
  readonly masterTable: string;
  readonly results: string;
  readonly report: string;
}

export function workdirPaths(workdir: string): WorkdirPaths {
  const root = resolve(workdir);
  const engineDir = join(root, 'engine');
  const commandsDir = join(engineDir, 'commands');
  return {
    root,
    config: join(root, 'config.json'),
    engineDir,
    checkpoint: join(engineDir, 'checkpoint.json'),
    lock: join(engineDir, 'lock'),
    queueSnapshot: join(engineDir, 'queue.json'),
    activeSnapshot: join(engineDir, 'active.json'),
    commandsDir,
    appliedDir: join(commandsDir, 'applied'),
    rejectedDir: join(commandsDir, 'rejected'),
    logsDir: join(root, 'logs'),
    runnerLog: join(root, 'logs', 'runner.log'),
    masterTable: join(root, 'master_table.tsv'),
    results: join(root, 'results.tsv'),
    report: join(root, 'report.md'),
  };
}

/** Paths in messages are relative to the workdir, as a user would type them there. */
export function shortPath(paths: WorkdirPaths, file: string): string {
  return file.startsWith(paths.root + '/') ? file.slice(paths.root.length + 1) : file;
}
