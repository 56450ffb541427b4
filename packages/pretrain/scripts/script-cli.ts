/**
 * The command-line contract these scripts share with the workspace's CLIs: `--help` prints the
 * usage (exit 0); an unknown flag or a wrong number of arguments prints the problem and the usage
 * (exit 2); a failure (a missing model file, say) is one line naming the script (exit 1), never a
 * stack trace.
 */
import { parseArgs } from 'node:util';

export interface ScriptSpec<F extends string> {
  /** Printed before each message, e.g. `eval-m4`. */
  readonly name: string;
  readonly usage: string;
  /** The script's `--flag value` options (all take a string). */
  readonly flags?: readonly F[];
  /** How many positional arguments the script takes. */
  readonly positionals?: { readonly min: number; readonly max: number };
}

export interface ScriptArgs<F extends string> {
  readonly values: Partial<Record<F, string>>;
  readonly positionals: readonly string[];
}

export function scriptArgs<F extends string = never>(spec: ScriptSpec<F>): ScriptArgs<F> {
  const { name, usage } = spec;
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
  const fail = (message: string): never => {
    process.stderr.write(`${name}: ${message}\n\n${usage}\n`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        ...Object.fromEntries((spec.flags ?? []).map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  if (parsed.values.help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (n < min || n > max) fail(`expected ${min === max ? min : `${min} to ${max}`} arguments, got ${n}`);
  const { help: _help, ...values } = parsed.values;
  return { values: values, positionals: parsed.positionals };
}
