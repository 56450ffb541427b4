/** Engine log lines: to stderr for the person watching, and to logs/runner.log for later. */
import { appendFileSync, mkdirSync } from 'node:fs';
import type { WorkdirPaths } from '../workdir/paths.js';

export type Log = (line: string) => void;

export function createRunnerLog(
  paths: WorkdirPaths,
  echo: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Log {
  mkdirSync(paths.logsDir, { recursive: true });
  return (line) => {
    const stamped = `${new Date().toISOString()} [${process.pid}] ${line}`;
    echo(stamped);
    // Synchronous on purpose: the last lines before a crash are the ones worth having.
    appendFileSync(paths.runnerLog, stamped + '\n');
  };
}
