/**
 * Command-line grammar of run.ts, parsed into a typed command. Flag values are validated with the
 * same zod schema as config.json, so a bad `--concurrency` and a bad `concurrency` field read alike.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeZodIssues } from '../workdir/file-errors.js';
import { RunSettingsSchema, type RunSettings } from '../workdir/run-config.js';

export const USAGE = `usage:
  run.ts <workdir> [--program program.md] [--planner claude|offline] [--analysis offline|claude] [--model NAME]
         [--max-experiments N] [--max-hours H] [--max-dollars D] [--patience P]
         [--concurrency C] [--launch local|slurm|'<template>'] [--job-timeout S]
      Start a run (the first run writes <workdir>/config.json); with the workdir alone, resume it.
      Flags given on a resume override config.json and are recorded there. --analysis claude has
      Claude analyse each finished experiment too (runs/<id>/analysis.md), fed to the next plan;
      it needs ANTHROPIC_API_KEY. The workflow's own settings (template, poll and stall limits,
      the slurm block, "shards": N to split each evaluation over N jobs) go in
      <workdir>/workflow.json before the first run (docs/cluster.md).
  run.ts status <workdir> [--json]
  run.ts report <workdir> [--html]
      Writes summary.md, the charts and report.md; --html also writes report.html, one
      self-contained page (tables, interactive charts, forecast fans) that needs no network.
  run.ts queue <workdir> list [--json]
  run.ts queue <workdir> move <id> <priority>
  run.ts queue <workdir> drop <id>
  run.ts queue <workdir> add <spec.json>
  run.ts queue <workdir> cancel <id>
      Queue edits are validated, and safe whether or not the engine is running. An added spec is
      checked against the workflow (kind, name, knobs and their values, a patch to the editable
      file only); cancel drops a queued spec, or stops a running one and records it as cancelled.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type QueueAction =
  | { readonly op: 'list'; readonly json: boolean }
  | { readonly op: 'move'; readonly id: string; readonly priority: number }
  | { readonly op: 'drop'; readonly id: string }
  | { readonly op: 'add'; readonly specFile: string }
  | { readonly op: 'cancel'; readonly id: string };

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'run'; readonly workdir: string; readonly settings: Partial<RunSettings> }
  | { readonly kind: 'status'; readonly workdir: string; readonly json: boolean }
  | { readonly kind: 'report'; readonly workdir: string; readonly html?: true }
  | { readonly kind: 'queue'; readonly workdir: string; readonly action: QueueAction };

/** Flag name → config.json key. */
const RUN_FLAGS = {
  program: 'program',
  planner: 'planner',
  analysis: 'analysis',
  model: 'model',
  'max-experiments': 'maxExperiments',
  'max-hours': 'maxHours',
  'max-dollars': 'maxDollars',
  patience: 'patience',
  concurrency: 'concurrency',
  launch: 'launch',
  'job-timeout': 'jobTimeoutS',
} as const satisfies Record<string, keyof RunSettings>;

/** Flags that take a whole number; the other numeric ones take a decimal. */
const INTEGER_KEYS = new Set<keyof RunSettings>(['maxExperiments', 'patience', 'concurrency']);
const DECIMAL_KEYS = new Set<keyof RunSettings>(['maxHours', 'maxDollars', 'jobTimeoutS']);

export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (first === 'status') {
    const { positionals, values } = parse(rest, { json: { type: 'boolean' } });
    return { kind: 'status', workdir: onlyWorkdir(positionals, 'status'), json: values.json === true };
  }
  if (first === 'report') {
    const { positionals, values } = parse(rest, { html: { type: 'boolean' } });
    return {
      kind: 'report',
      workdir: onlyWorkdir(positionals, 'report'),
      ...(values.html === true ? { html: true as const } : {}),
    };
  }
  if (first === 'queue') return parseQueue(rest);
  return parseRun(argv);
}

function parseRun(argv: readonly string[]): Command {
  const options = Object.fromEntries(Object.keys(RUN_FLAGS).map((flag) => [flag, { type: 'string' as const }]));
  const { positionals, values } = parse(argv, options);
  const workdir = onlyWorkdir(positionals, 'run');
  const raw: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(RUN_FLAGS)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    raw[key] = INTEGER_KEYS.has(key) || DECIMAL_KEYS.has(key) ? flagNumber(flag, value, INTEGER_KEYS.has(key)) : value;
  }
  const parsed = RunSettingsSchema.partial().safeParse(raw);
  if (!parsed.success) {
    const byKey = Object.fromEntries(Object.entries(RUN_FLAGS).map(([flag, key]) => [key, `--${flag}`]));
    const problems = describeZodIssues(parsed.error).map((line) => {
      const key = line.slice(0, line.indexOf(':'));
      return `${byKey[key] ?? key}${line.slice(key.length)}`;
    });
    throw new UsageError(problems.join('\n'));
  }
  return { kind: 'run', workdir, settings: parsed.data };
}

/**
 * Queue arguments are read by hand: `move <id> -5` must take `-5` as a priority, which a
 * general-purpose option parser would reject as an unknown flag.
 */
function parseQueue(argv: readonly string[]): Command {
  const json = argv.includes('--json');
  const words = argv.filter((word) => word !== '--json' && word !== '--');
  const [workdir, op, ...args] = words;
  if (!workdir || !op) throw new UsageError('queue needs a workdir and one of: list, move, drop, add, cancel');
  const expect = (count: number, shape: string) => {
    if (args.length !== count) throw new UsageError(`usage: run.ts queue <workdir> ${shape}`);
  };
  switch (op) {
    case 'list':
      expect(0, 'list [--json]');
      return { kind: 'queue', workdir, action: { op: 'list', json } };
    case 'move': {
      expect(2, 'move <id> <priority>');
      const priority = parseNumber(args[1]!);
      if (typeof priority !== 'number' || !Number.isFinite(priority)) {
        throw new UsageError(`move: priority must be a finite number, got ${JSON.stringify(args[1])}`);
      }
      return { kind: 'queue', workdir, action: { op: 'move', id: args[0]!, priority } };
    }
    case 'drop':
      expect(1, 'drop <id>');
      return { kind: 'queue', workdir, action: { op: 'drop', id: args[0]! } };
    case 'add':
      expect(1, 'add <spec.json>');
      return { kind: 'queue', workdir, action: { op: 'add', specFile: args[0]! } };
    case 'cancel':
      expect(1, 'cancel <id>');
      return { kind: 'queue', workdir, action: { op: 'cancel', id: args[0]! } };
    default:
      throw new UsageError(`unknown queue action ${JSON.stringify(op)}; expected list, move, drop, add or cancel`);
  }
}

/**
 * A flag's number, written plainly: `30`, `0.5`. Forms JavaScript would also read (`1e3`, `0x10`,
 * ` 7 `, `-1`) are refused with what was expected, so a typo never becomes a surprising cap.
 */
function flagNumber(flag: string, text: string, whole: boolean): number {
  const plain = whole ? /^\d+$/ : /^\d+(\.\d+)?$/;
  if (!plain.test(text)) {
    throw new UsageError(
      `--${flag}: expected ${whole ? 'a whole number such as 30' : 'a number such as 0.5'}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** A number, or the original text when it is not one, so zod can say "expected number". */
function parseNumber(text: string): number | string {
  const trimmed = text.trim();
  const value = z.coerce.number().safeParse(trimmed);
  return trimmed !== '' && value.success ? value.data : text;
}

type FlagOptions = Record<string, { type: 'string' | 'boolean' }>;

function parse(
  argv: readonly string[],
  options: FlagOptions,
): { positionals: string[]; values: Record<string, string | boolean | undefined> } {
  try {
    const { positionals, values } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { positionals, values: values as Record<string, string | boolean | undefined> };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function onlyWorkdir(positionals: readonly string[], command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `${command} takes exactly one workdir, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  }
  return positionals[0]!;
}
