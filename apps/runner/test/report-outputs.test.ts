import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/write-report.js';
import { NO_SYNTHESIS, writeOutputs } from '../src/report/index.js';
import { WorkdirFileError } from '../src/workdir/file-errors.js';
import { workdirPaths } from '../src/workdir/paths.js';
import { runCostText, runNoiseText } from '../src/report/summary-md.js';
import { FIXTURE_RANKING, fixtureTree, fixtureWorkdir, node } from './report-fixture.js';

const OUTPUTS = ['summary.md', 'progress.png', 'hypothesis_tree.png', 'report.md'];
const read = (dir: string, name: string): Buffer => readFileSync(join(dir, name));

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('writeOutputs', () => {
  it('writes the four outputs, and writing again gives identical bytes (PNGs included)', async () => {
    const dir = fixtureWorkdir();
    const first = await writeOutputs(dir);
    const before = OUTPUTS.map((name) => read(dir, name));
    const second = await writeOutputs(dir);
    expect(second).toEqual(first);
    OUTPUTS.forEach((name, index) => expect(read(dir, name).equals(before[index] ?? Buffer.alloc(0)), name).toBe(true));
    expect(first).toMatchObject({ experiments: 15, bestId: 'e012', synthesis: 'not-requested' });
  });

  it('renders PNGs of sane size for the fixture', async () => {
    const dir = fixtureWorkdir();
    await writeOutputs(dir);
    const progress = pngSize(read(dir, 'progress.png'));
    const tree = pngSize(read(dir, 'hypothesis_tree.png'));
    for (const { width, height } of [progress, tree]) {
      expect(width).toBeGreaterThan(600);
      expect(width).toBeLessThan(4000);
      expect(height).toBeGreaterThan(300);
      expect(height).toBeLessThan(3000);
    }
  });

  it('summary.md states the status, the counts, the best run against the seeds and a top 5', async () => {
    const dir = fixtureWorkdir();
    await writeOutputs(dir);
    const summary = read(dir, 'summary.md').toString();
    expect(summary).toContain('stopped — stop reason: plateau: best metric 0.4415');
    expect(summary).toContain(
      '15 (11 completed, 6 kept, 4 discarded, 2 crashed or failed, 1 running, 2 queued; 3 seeds)',
    );
    expect(summary).toContain('resolution-5m (`e012`): **0.4415**');
    expect(summary).toMatch(/\| harness default \| seed-harness-default \(`e001`\) \| 0\.5234 \| — \| −15\.6% \| — \|/);
    expect(summary).toContain('**Verdict** (confirmation split): not scored yet');
    expect(summary).toContain('closes 57% of the gap');
    expect(summary).toContain('**Planner:** offline (seed 0): 2 planning rounds, $0.0123 spent');
    const top = summary.split('## Top 5 by search metric')[1] ?? '';
    expect(top.match(/^\| \d \|/gm)).toHaveLength(5);
    expect(top).not.toContain('seed-oracle');
    expect(summary.split('\n').length).toBeLessThan(40);
  });

  it('the planner line names the offline planner’s seed from workflow.json, so runs of several seeds tell apart', async () => {
    const dir = fixtureWorkdir();
    writeFileSync(join(dir, 'workflow.json'), JSON.stringify({ template: 'tiny', offlineSeed: 3 }));
    await writeOutputs(dir);
    expect(read(dir, 'summary.md').toString()).toContain('**Planner:** offline (seed 3): 2 planning rounds');
  });

  it('report.md has every section, all experiments best first with crashes last, and the analyses', async () => {
    const dir = fixtureWorkdir();
    await writeOutputs(dir);
    const report = read(dir, 'report.md').toString();
    for (const heading of [
      '## Question and setup',
      '## Seeds',
      '## Results',
      '## Best path',
      '## Synthesis',
      '## Experiments',
    ])
      expect(report).toContain(heading);
    expect(report).toContain('Which forecaster config minimises');
    expect(report).toContain('![Progress: metric per experiment with the running best](progress.png)');
    expect(report).toContain('](hypothesis_tree.png)');
    expect(report).toContain(NO_SYNTHESIS);
    const rows = (report.split('## Results')[1] ?? '').split('\n').filter((line) => /^\| (\d+|ref|—) \|/.test(line));
    expect(rows.map((row) => /`(e\d+)`/.exec(row)?.[1])).toEqual(FIXTURE_RANKING);
    expect(report).toMatch(
      /2\. \*\*context-512\*\* \(`e004`\) — 0\.4710; −0\.0160 \(−3\.3%\) vs seed-best-fixed-config/,
    );
    expect(report).toContain('##### Analysis of e012'); // its "#" nested below the experiment's heading
    expect(report).toContain('results.tsv: 12 rows, consistent with engine/tree.json.');
    expect(report).toContain('```diff');
  });

  it('flags results.tsv rows that disagree with the tree', async () => {
    const dir = fixtureWorkdir();
    const results = readFileSync(join(dir, 'results.tsv'), 'utf8').replace('c0ffee0012\t0.4415', 'c0ffee0012\t0.5');
    writeFileSync(join(dir, 'results.tsv'), results);
    await writeOutputs(dir);
    expect(read(dir, 'report.md').toString()).toContain(
      'commit `c0ffee0012`: tree.json has [0.441500000000], results.tsv has [0.500000000000]',
    );
  });

  it('copes with an empty tree, a single node, and no tree at all', async () => {
    for (const nodes of [[], fixtureTree().slice(0, 1)]) {
      const dir = fixtureWorkdir({ nodes });
      const written = await writeOutputs(dir);
      expect(written.experiments).toBe(nodes.length);
      pngSize(read(dir, 'progress.png'));
      pngSize(read(dir, 'hypothesis_tree.png'));
    }
    const bare = fixtureWorkdir({ withoutTree: true });
    expect((await writeOutputs(bare)).bestId).toBeNull();
    expect(read(bare, 'summary.md').toString()).toContain('**Experiments:** none yet');
  });

  it('names the field when tree.json breaks the contract, and tolerates extra fields', async () => {
    const dir = fixtureWorkdir();
    const nodes = fixtureTree().map((n) => ({ ...n, somethingNew: 1 }));
    writeFileSync(join(dir, 'engine', 'tree.json'), JSON.stringify(nodes));
    await expect(writeOutputs(dir)).resolves.toMatchObject({ bestId: 'e012' });
    writeFileSync(join(dir, 'engine', 'tree.json'), JSON.stringify([{ ...nodes[0], status: 'exploded' }]));
    await expect(writeOutputs(dir)).rejects.toThrow(WorkdirFileError);
    await expect(writeOutputs(dir)).rejects.toThrow(/engine\/tree\.json: \[0\]\.status/);
    writeFileSync(join(dir, 'engine', 'tree.json'), JSON.stringify([nodes[0], nodes[0]]));
    await expect(writeOutputs(dir)).rejects.toThrow('engine/tree.json: [1].id: "e001" appears more than once');
  });
});

describe('the noise line of summary.md', () => {
  const measured = (id: string, at: number, metricHalfWidth: number | null, decisionHalfWidth: number | null) => ({
    ...node({ id, parent: null, name: id, params: {}, decision: 'discard', metric: 0.4, at }),
    metricHalfWidth,
    decisionHalfWidth,
  });

  it('prints the medians of the measured half-widths, and what ±0.5% would take', () => {
    const nodes = [
      measured('e1', 1, 0.16, null),
      measured('e2', 2, 0.14, 0.02),
      measured('e3', 3, 0.15, 0.026),
      measured('e4', 4, null, 0.03),
      node({ id: 'e5', parent: null, name: 'e5', params: {}, status: 'queued', at: 5 }),
    ];
    expect(runNoiseText(nodes)).toBe(
      "the metric ±15.0% (median over 3 experiments); a keep decision's paired candidate − incumbent ±2.60% (median over 3 decisions); ±0.5% would take about 28× the search split's requests",
    );
  });

  it('claims nothing it did not measure', () => {
    expect(runNoiseText(fixtureTree())).toBeUndefined();
    expect(runNoiseText([measured('e1', 1, null, 0.004)])).toBe(
      "a keep decision's paired candidate − incumbent ±0.40% (median over 1 decision)",
    );
  });
});

describe('the cost line of summary.md', () => {
  const ran = (id: string, at: number, cpuS: number | null, status: 'completed' | 'failed' = 'completed') => ({
    ...node({ id, parent: null, name: id, params: {}, decision: 'discard', metric: 0.4, at, status }),
    cpuS,
  });

  it('gives the median and max CPU seconds the evaluator reported, and the wall time', () => {
    const nodes = [
      ran('e1', 1, 6.4),
      ran('e2', 2, 7.5),
      ran('e3', 3, 6.9),
      ran('e4', 4, null),
      ran('e5', 5, 99, 'failed'),
    ];
    // Failed jobs are not experiments whose cost a split size is judged by; wall: each fixture node ran 20 s.
    expect(runCostText(nodes)).toMatch(
      /^CPU median 6\.9 s, max 7\.5 s \(3 experiments, evaluator start-up included\); wall median (\d+\.\d) s, max \1 s$/,
    );
  });

  it('says nothing before an experiment completed', () => {
    expect(
      runCostText([node({ id: 'e1', parent: null, name: 'e1', params: {}, status: 'queued', at: 1 })]),
    ).toBeUndefined();
  });
});

describe('the synthesis section', () => {
  it('is generated from the report without it, cached, and regenerated once the report changes', async () => {
    const dir = fixtureWorkdir();
    const seen: string[] = [];
    const synthesize = async (text: string): Promise<string> => {
      seen.push(text);
      return '# What we learned\n\nResolution and flip invariance helped.';
    };
    expect((await writeOutputs(dir, { synthesize })).synthesis).toBe('generated');
    const report = read(dir, 'report.md').toString();
    expect(report).toContain('## Synthesis\n\n### What we learned\n\nResolution and flip invariance helped.');
    expect(seen[0]).not.toContain('## Synthesis');
    expect(seen[0]).toContain('## Results');

    expect((await writeOutputs(dir, { synthesize })).synthesis).toBe('cached');
    expect(seen).toHaveLength(1);
    expect(read(dir, 'report.md').toString()).toBe(report);

    writeFileSync(join(dir, 'runs', 'e004', 'analysis.md'), 'Rewritten analysis.\n');
    expect((await writeOutputs(dir, { synthesize })).synthesis).toBe('generated');
    expect(seen).toHaveLength(2);
  });

  it('says so when the call fails, and still writes the rest', async () => {
    const dir = fixtureWorkdir();
    const written = await writeOutputs(dir, {
      synthesize: async () => {
        throw new Error('529 overloaded');
      },
    });
    expect(written.synthesis).toBe('failed');
    expect(read(dir, 'report.md').toString()).toContain('Synthesis: not generated (the call failed: 529 overloaded)');
  });
});

describe('run.ts report (writeReport)', () => {
  it('writes the research outputs when the workflow has written a tree', async () => {
    const dir = fixtureWorkdir();
    const paths = workdirPaths(dir);
    expect(await writeReport(paths, undefined, undefined)).toBe(paths.report);
    expect(read(dir, 'report.md').toString()).toContain('# Autoresearch report');
    pngSize(read(dir, 'hypothesis_tree.png'));
  });

  it('keeps the engine report for a workdir without a tree', async () => {
    const dir = fixtureWorkdir({ withoutTree: true });
    mkdirSync(join(dir, 'engine'), { recursive: true });
    const paths = workdirPaths(dir);
    await writeReport(paths, undefined, undefined);
    expect(read(dir, 'report.md').toString()).toContain('# Run report');
  });
});
