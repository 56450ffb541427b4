/**
 * Captures everything the process prints — stdout, stderr and every console method — into `into`,
 * so a test can assert that a secret never reaches any output, whoever printed it (the SDK's
 * logger, ours, or anything else). Call in beforeEach; vi.restoreAllMocks undoes it.
 */
import { vi } from 'vitest';

export function captureProcessOutput(into: string[]): void {
  const keep = (chunk: unknown): true => {
    into.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void keep(args.map(String).join(' ')));
  }
}
