import { readFile } from 'node:fs/promises';
import { LoadError } from './load-errors.js';

/** Name used in error messages when a loader is handed text rather than a path. */
export const DEFAULT_SOURCE = '<input>';

/**
 * Reads a whole file as UTF-8. Inputs are small (a few MB at most), and reading them whole keeps
 * every parser a pure function of a string, which is what the tests exercise.
 */
export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LoadError({ file: path, kind: 'unreadable', reason: `cannot read file (${reason})` });
  }
}

/** Excel and PowerShell write a UTF-8 byte-order mark; Node keeps it as U+FEFF, which would
 * otherwise become part of the first header name (or break JSON.parse). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isBlank(text: string): boolean {
  return text.trim() === '';
}
