/**
 * Ledger analytics (knob-effects.ts): master_table.tsv through danfo.js into a per-knob table of
 * mean search metric and counts, in report.md and report.html, with knob_effects.png.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParamSpace } from '../src/planners/index.js';
import { candidateRecords, KNOB_EFFECTS_MAX_ROWS, knobEffects, UNSET_VALUE } from '../src/report/knob-effects.js';
import { writeOutputs } from '../src/report/write-outputs.js';
import { fixtureTree, fixtureWorkdir, masterTableText, node } from './report-fixture.js';

const SPACE: ParamSpace = {
  k: { kind: 'range', min: 1, max: 64, step: 1, default: 32 },
  flip: { kind: 'choice', values: [true, false] },
  mode: { kind: 'choice', values: ['fast', 'slow', 'exact'], default: 'slow' },
};

/** Seeds as the workflow names them, and candidates with known metrics per knob value. */
function ledger(): string {
  return masterTableText([
    node({
      id: 'seed-harness-default',
      parent: null,
      name: 'harness-default',
      params: {},
      decision: 'discard',
      metric: 0.5,
      seed: true,
      at: 1,
    }),
    node({
      id: 'seed-best-fixed',
      parent: null,
      name: 'best-fixed',
      params: {},
      decision: 'keep',
      metric: 0.1,
      seed: true,
      at: 2,
    }),
    node({
      id: 'seed-oracle',
      parent: null,
      name: 'oracle',
      params: {},
      decision: 'keep',
      metric: 0.05,
      seed: true,
      at: 3,
    }),
    node({
      id: 'e004',
      parent: 'seed-harness-default',
      name: 'k-8',
      params: { k: 8, flip: true, mode: 'slow' },
      decision: 'keep',
      metric: 0.4,
      at: 4,
    }),
    node({
      id: 'e005',
      parent: 'e004',
      name: 'k-8-fast',
      params: { k: 8, flip: true, mode: 'fast' },
      decision: 'discard',
      metric: 0.45,
      at: 5,
    }),
    node({
      id: 'e006',
      parent: 'e004',
      name: 'k-16',
      params: { k: 16, flip: true, mode: 'slow' },
      decision: 'discard',
      metric: 0.42,
      at: 6,
    }),
    node({
      id: 'e007',
      parent: 'e004',
      name: 'broken',
      params: { k: 4, flip: true, mode: 'exact' },
      status: 'failed',
      decision: 'crash',
      at: 7,
    }),
  ]);
}

describe('knob effects from master_table.tsv', () => {
  it('averages the search metric per knob value with counts, leaving out the references and crashes', async () => {
    const effects = await knobEffects(ledger(), SPACE);
    expect(effects).toBeDefined();
    // harness default (all defaults: k 32, flip true, mode slow), e004, e005, e006: not the oracle,
    // the best fixed config or the crash.
    expect(effects!.experiments).toBe(4);
    expect(effects!.overallMean).toBeCloseTo((0.5 + 0.4 + 0.45 + 0.42) / 4, 12);
    const k = effects!.knobs.find((knob) => knob.knob === 'k');
    expect(k?.values).toEqual([
      { value: '8', mean: 0.425, count: 2, min: 0.4 },
      { value: '16', mean: 0.42, count: 1, min: 0.42 },
      { value: '32', mean: 0.5, count: 1, min: 0.5 },
    ]);
    const mode = effects!.knobs.find((knob) => knob.knob === 'mode');
    // In the template's order (fast, slow, exact); exact was only tried by the crash.
    expect(mode?.values.map((entry) => [entry.value, entry.count, entry.mean])).toEqual([
      ['fast', 1, 0.45],
      ['slow', 3, 0.44],
    ]);
    expect(k?.spread).toBeCloseTo(0.08, 6);
    expect(mode?.spread).toBeCloseTo(0.01, 6);
    // Largest spread first; a knob with one value throughout has nothing to compare.
    expect(effects!.knobs.map((knob) => knob.knob)).toEqual(['k', 'mode']);
    expect(effects!.constant).toEqual(['flip']);
  });

  it('shows a knob an experiment left unset as unset when the template is unknown', () => {
    const { records, knobNames } = candidateRecords(ledger(), undefined);
    expect(knobNames).toEqual(['flip', 'k', 'mode']);
    expect(records.find((record) => record.id === 'seed-harness-default')?.knobs).toEqual({
      flip: UNSET_VALUE,
      k: UNSET_VALUE,
      mode: UNSET_VALUE,
    });
  });

  it(`feeds danfo at most ${KNOB_EFFECTS_MAX_ROWS} rows and says how many it left out`, async () => {
    const rows = Array.from({ length: KNOB_EFFECTS_MAX_ROWS + 25 }, (_, i) =>
      node({
        id: `e${String(i + 10).padStart(4, '0')}`,
        parent: null,
        name: `k-${(i % 5) + 1}`,
        params: { k: (i % 5) + 1 },
        decision: 'discard',
        metric: 0.3 + (i % 5) / 100,
        at: 10 + i,
      }),
    );
    const effects = await knobEffects(masterTableText(rows), SPACE);
    expect(effects?.experiments).toBe(KNOB_EFFECTS_MAX_ROWS);
    expect(effects?.available).toBe(KNOB_EFFECTS_MAX_ROWS + 25);
    expect(effects?.knobs[0]?.values.map((entry) => entry.count)).toEqual([60, 60, 60, 60, 60]);
  });

  it('is absent for a ledger without the columns it needs or without a candidate', async () => {
    expect(await knobEffects('id\tmetric\ne001\t0.5\n', SPACE)).toBeUndefined();
    expect(await knobEffects(masterTableText([]), SPACE)).toBeUndefined();
  });
});

describe('knob effects in the outputs', () => {
  it('report.md has the table and the chart, knob_effects.png is written, the same bytes twice', async () => {
    const root = fixtureWorkdir();
    const first = await writeOutputs(root);
    expect(first.knobEffects).toBe(join(root, 'knob_effects.png'));
    const png = readFileSync(first.knobEffects!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const report = readFileSync(first.report, 'utf8');
    const section = report.split('## Knob effects')[1]?.split('\n## ')[0] ?? '';
    expect(section).toContain('danfo.js');
    expect(section).toContain('| `contextLength` (spread');
    // e004, e007, e008, e011, e012 ran at 512: (0.471 + 0.4522 + 0.479 + 0.4601 + 0.4415) / 5
    expect(section).toMatch(/\| {2}\| `512` \| 5 \| 0\.4608 \|/);
    expect(section).toContain('![Knob effects');
    await writeOutputs(root);
    expect(readFileSync(first.knobEffects!).equals(png)).toBe(true);
    expect(readFileSync(first.report, 'utf8')).toBe(report);
  });

  it('never shows a confirmation number: the ledger holds the search metric only', async () => {
    const root = fixtureWorkdir();
    writeFileSync(
      join(root, 'engine', 'confirmation.json'),
      JSON.stringify({
        bestId: 'e012',
        entries: [{ id: 'e012', role: 'best', metric: 0.987654 }],
        verdict: null,
      }),
    );
    const { report } = await writeOutputs(root);
    const section = readFileSync(report, 'utf8').split('## Knob effects')[1]?.split('\n## ')[0] ?? '';
    expect(section).not.toContain('0.9877');
    expect(section).toContain('0.4415'); // e012's search metric, its resolution's lowest
  });

  it('says there is nothing to compare before a candidate has a metric', async () => {
    const references = fixtureTree().filter((n) => n.seedKind === 'best-fixed' || n.seedKind === 'oracle');
    const root = fixtureWorkdir({ nodes: references });
    const written = await writeOutputs(root);
    expect(written.knobEffects).toBeNull();
    expect(existsSync(join(root, 'knob_effects.png'))).toBe(false);
    expect(readFileSync(written.report, 'utf8')).toContain(
      'No candidate experiment with a metric in master_table.tsv yet.',
    );
  });
});
