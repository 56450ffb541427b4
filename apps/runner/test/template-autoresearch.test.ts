/**
 * The autoresearch template's harness knobs (validationPlacement, racing): the values template.json
 * offers the planner are values the harness accepts, the frozen contract parses racing as the
 * harness does, the defaults leave the seeds' requests as they were (tail windows, no racing), and
 * the real evaluator (prepare.ts + evaluate.ts on the shipped model) hands the knobs to the harness:
 * same-time windows are scored and racing runs fewer model rows.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseRacing as harnessParseRacing, RequestOptionsSchema, VALIDATION_PLACEMENTS } from '@tsfm/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParams, type ParamSpace, type ParamValue } from '../src/planners/param-space.js';
import { readTemplateManifest } from '../src/workflow/source/template.js';
import { parseRacing, type Params } from '../templates/autoresearch/contract.js';
import { experiment } from '../templates/autoresearch/experiment.js';

const TEMPLATE = join(import.meta.dirname, '..', 'templates', 'autoresearch');
const run = promisify(execFile);

/** The template's knobs, read and checked as the runner reads them at anchor time. */
async function paramSpace(): Promise<ParamSpace> {
  return (await readTemplateManifest(TEMPLATE)).paramSpace;
}

/** The assignment the runner gives an experiment that moves no knob (the seeds'). */
async function defaults(): Promise<Params> {
  return defaultParams(await paramSpace()) as unknown as Params;
}

/** A choice knob's values. */
function choices(space: ParamSpace, name: string): readonly ParamValue[] {
  const knob = space[name];
  if (knob?.kind !== 'choice') throw new Error(`template.json: ${name} is not a choice knob`);
  return knob.values;
}

/** The harness options evaluate.ts builds from experiment.searchOptions (its requestOf). */
function harnessOptions(params: Params): unknown {
  const o = experiment.searchOptions(params);
  return {
    validationWindows: o.validationWindows,
    validationPlacement: o.validationPlacement,
    ...(o.racing === null ? {} : { racing: o.racing }),
    selection: o.selection,
    configsPerModelRow: o.configsPerModelRow,
    combine: o.combine,
  };
}

describe('autoresearch template: the harness knobs', () => {
  it('every placement and racing value the planner may choose is one the harness accepts', async () => {
    const space = await paramSpace();
    const base = await defaults();
    const placements = choices(space, 'validationPlacement');
    const racings = choices(space, 'racing');
    for (const placement of placements) expect(VALIDATION_PLACEMENTS).toContain(placement);
    for (const validationPlacement of placements)
      for (const racing of racings) {
        const params = { ...base, validationPlacement, racing } as Params;
        expect(RequestOptionsSchema.safeParse(harnessOptions(params)).success).toBe(true);
      }
  });

  it('the defaults are the requests the seeds always sent: tail windows, no racing', async () => {
    const options = experiment.searchOptions(await defaults());
    expect(options.validationPlacement).toBe('tail');
    expect(options.racing).toBeNull();
  });

  it('the contract parses racing as the harness does, and names the knob when it cannot', () => {
    for (const text of ['off', '1,4', '2,2', '64,64', '3,1'])
      expect(parseRacing(text)).toEqual(harnessParseRacing(text));
    for (const text of ['0,4', '1,0', '65,1', '1,', '1,4,2', 'on', ' 1,4', '1.5,2']) {
      expect(() => harnessParseRacing(text)).toThrow();
      expect(() => parseRacing(text)).toThrow(/^racing: /);
    }
  });
});

describe('autoresearch template: the evaluator applies them (shipped model, one shard of the search split)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autoresearch-knobs-'));
    await run(process.execPath, ['--import', 'tsx', 'prepare.ts', '--out', join(dir, 'data')], { cwd: TEMPLATE });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  interface Request {
    readonly modelRows: number;
    readonly validationWindows: number;
  }

  async function evaluate(name: string, params: Partial<Params>): Promise<{ metric: number; requests: Request[] }> {
    const paramsFile = join(dir, `${name}.json`);
    const out = join(dir, `${name}-metrics.json`);
    await writeFile(paramsFile, JSON.stringify({ mode: 'search', params: { ...(await defaults()), ...params } }));
    await run(
      process.execPath,
      [
        ...['--import', 'tsx', 'evaluate.ts', '--params', paramsFile, '--data', join(dir, 'data')],
        ...['--out', out, '--shard', '1/4'],
      ],
      { cwd: TEMPLATE, maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(await readFile(out, 'utf8')) as { metric: number; requests: Request[] };
  }

  it('tail+same-time scores two more windows per request; racing runs fewer model rows for them', async () => {
    // K = 8 on a quarter of the search split (12 tenants × 4 origins) keeps the three runs cheap.
    const tail = await evaluate('tail', { k: 8 });
    const sameTime = await evaluate('same-time', { k: 8, validationPlacement: 'tail+same-time' });
    const raced = await evaluate('raced', { k: 8, validationPlacement: 'tail+same-time', racing: '1,2' });
    expect(tail.requests.length).toBeGreaterThan(0);
    expect(new Set(tail.requests.map((r) => r.validationWindows))).toEqual(new Set([1]));
    expect(new Set(sameTime.requests.map((r) => r.validationWindows))).toEqual(new Set([3]));
    const rows = (r: { requests: Request[] }) => r.requests.reduce((sum, q) => sum + q.modelRows, 0);
    expect(rows(sameTime)).toBeGreaterThan(rows(tail));
    expect(rows(raced)).toBeLessThan(rows(sameTime));
    for (const r of [tail, sameTime, raced]) expect(Number.isFinite(r.metric)).toBe(true);
  });

  it('a racing value outside the contract is refused naming params.json and the knob', async () => {
    await expect(evaluate('bad', { racing: '0,4' })).rejects.toThrow(/params\.json: racing: "0,4"/);
  });
});
