/**
 * Keeps secrets out of everything the planner writes or prints. The Claude planner never puts
 * the API key in what it logs, but a server that echoes headers, an SDK error that quotes a
 * request, or a future log line could; so every string bound for a file or a console passes
 * through a redactor first.
 */
import type { ClientOptions } from '@anthropic-ai/sdk';

type Logger = NonNullable<ClientOptions['logger']>;

export const REDACTED = '[REDACTED]';

export type Redactor = (text: string) => string;

/**
 * Replaces every occurrence of each secret. Secrets under 8 characters are refused: too likely to
 * hit ordinary text, too short to be a real key.
 */
export function makeRedactor(secrets: readonly string[]): Redactor {
  const active = secrets.filter((s) => s.length > 0);
  for (const secret of active) {
    if (secret.length < 8) throw new Error('refusing to redact a secret shorter than 8 characters');
  }
  if (active.length === 0) return (text) => text;
  return (text) => active.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

/** JSON-serialises `value` and redacts the result, so a secret nested anywhere is caught. */
export function redactedJson(value: unknown, redact: Redactor, indent = 2): string {
  return redact(JSON.stringify(value, null, indent));
}

function describeArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}

/** The SDK's logger, with every line flattened to text and redacted before it reaches stderr. */
export function redactingLogger(
  redact: Redactor,
  sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const emit =
    (level: string) =>
    (message: string, ...rest: unknown[]): void => {
      sink(redact(`[anthropic-sdk ${level}] ${[message, ...rest].map(describeArg).join(' ')}`));
    };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}
