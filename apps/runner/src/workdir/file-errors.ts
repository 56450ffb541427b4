/**
 * Errors about a file a person can open and fix: the message starts with the file and the path of
 * the offending field (`engine/checkpoint.json: queue[3].priority: expected number, received
 * string`), because that is where they will look first.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

export class WorkdirFileError extends Error {
  override readonly name = 'WorkdirFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    readonly advice = '',
  ) {
    super([...problems.map((problem) => `${file}: ${problem}`), ...(advice ? [advice] : [])].join('\n'));
  }
}

/** `['queue', 3, 'priority']` → `queue[3].priority`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

export function describeZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    // zod 4 prefixes most messages with "Invalid input: "; the field path already says that.
    const message = issue.message.replace(/^Invalid input: /, '');
    return `${formatFieldPath(issue.path)}: ${message}`;
  });
}

/**
 * Reads and validates a JSON file. Returns undefined when it does not exist; throws a
 * WorkdirFileError naming the file (as `label`) and field otherwise.
 */
export async function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  label: string,
  advice = '',
): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseJsonText(text, schema, label, advice);
}

export function parseJsonText<S extends z.ZodType>(text: string, schema: S, label: string, advice = ''): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WorkdirFileError(label, [`not valid JSON (${(error as Error).message})`], advice);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new WorkdirFileError(label, describeZodIssues(parsed.error), advice);
  return parsed.data;
}

/** What a system call's error code means for a workdir, in words a person can act on. */
const FS_REASONS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a path on the way is a file, not a folder',
  EEXIST: 'something is already there',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
};

/**
 * One line for a file-system error a person caused or can fix (a workdir that is a file, a folder
 * they cannot write), or undefined for anything else.
 */
export function describeFsError(error: unknown): string | undefined {
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !(code in FS_REASONS)) return undefined;
  return `${path ?? 'a workdir file'}: cannot ${syscall ?? 'use it'}: ${FS_REASONS[code]} (${code})`;
}
