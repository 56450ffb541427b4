/**
 * report.html as a file: deterministic, self-contained, escaped, saying what summary.md says, and
 * honest about forecasts (the evaluator's fan.json, else computed from the template's fleet and
 * forecaster, else a note). The browser side is in report-html-browser.test.ts.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/cli/args.js';
import { main } from '../src/cli/main.js';
import { fanSpec, readFanSource, readReportInputs, writeHtmlReport, writeOutputs } from '../src/report/index.js';
import { jsonForScript } from '../src/report/html/escape.js';
import { markdownToHtml } from '../src/report/html/markdown-html.js';
import { FIXTURE_RANKING, fixtureFan, fixtureTree, fixtureWorkdir } from './report-fixture.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const readHtml = (dir: string): string => readFileSync(join(dir, 'report.html'), 'utf8');

// The page is a megabyte of inlined vega: these report what was looked for, not the whole page.
function expectIn(page: string, text: string): void {
  expect(page.includes(text), `report.html should contain ${JSON.stringify(text)}`).toBe(true);
}
function expectNotIn(page: string, text: string): void {
  expect(page.includes(text), `report.html should not contain ${JSON.stringify(text)}`).toBe(false);
}
function expectMatch(page: string, pattern: RegExp): void {
  expect(pattern.test(page), `report.html should match ${pattern}`).toBe(true);
}

describe('writeHtmlReport', () => {
  it('writes the same bytes twice, with no clock in them', async () => {
    const dir = fixtureWorkdir();
    const first = await writeHtmlReport(dir);
    const bytes = readFileSync(first.path);
    const second = await writeHtmlReport(dir);
    expect(readFileSync(second.path).equals(bytes)).toBe(true);
    expect(first).toEqual({ path: join(dir, 'report.html'), fans: 'file', charts: 6 });
    // The fixture's times are all on 2025-03-01; today's date could only come from a clock.
    const today = new Date().toISOString().slice(0, 10);
    if (today !== '2025-03-01') expectNotIn(bytes.toString(), today);
  });

  it('is one self-contained file: vega inlined, specs as JSON, no address to load anything from', async () => {
    const dir = fixtureWorkdir();
    await writeHtmlReport(dir);
    const html = readHtml(dir);
    // Matches, not the page, in a failure message: the page is a megabyte.
    expect(html.match(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\/[^"'\s>]*/gi)).toBeNull();
    expect(html.match(/<script[^>]*\bsrc=|<link\b/gi)).toBeNull();
    expect(/<style>(.*?)<\/style>/s.exec(html)?.[1]).not.toMatch(/@import|url\(/i);
    expectIn(html, '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';');
    const specs = [...html.matchAll(/<script type="application\/json" id="spec-[^"]+">(.*?)<\/script>/gs)].map(
      (match) => match[1] ?? '',
    );
    expect(specs).toHaveLength(6);
    for (const spec of specs) expect(spec.match(/https?:\/\/[^"]*/g)).toBeNull(); // their $schema is left out
    expectMatch(html, /<script>!function\(t,e\)\{"object"==typeof exports/); // the vega UMD build
    for (const id of ['tree', 'progress', 'knobs', 'fan-0', 'fan-1', 'fan-2'])
      expectIn(html, `<script type="application/json" id="spec-${id}">`);
    expect(html.length).toBeLessThan(1_500_000);
  });

  it('states what summary.md states: status, counts, best, and the comparison with each seed', async () => {
    const dir = fixtureWorkdir();
    await writeOutputs(dir);
    await writeHtmlReport(dir);
    const html = readHtml(dir);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    for (const text of [
      'stopped — stop reason: plateau: best metric 0.4415',
      '15 (11 completed, 6 kept, 4 discarded, 2 crashed or failed, 1 running, 2 queued; 3 seeds)',
      '+16.2%; closes 57% of the gap from the harness default',
      'offline (seed 0): 2 planning rounds, $0.0123 spent',
    ]) {
      expect(summary).toContain(text);
      expectIn(html, text);
    }
    expectMatch(
      html,
      /<dt>Best<\/dt><dd><a href="#exp-e012">resolution-5m<\/a> <code>e012<\/code>: <strong class="metric">0\.4415<\/strong>/,
    );
    const ledgerOrder = [...html.matchAll(/<tr data-id="([^"]+)" data-rank="(\d+)"/g)].map((match) => match[1]);
    expect(ledgerOrder).toEqual(FIXTURE_RANKING);
  });

  it('escapes everything the workdir wrote: in the page as text, in the specs as JSON that cannot close its script', async () => {
    const attack = '</script><script>alert(1)</script><!--';
    const nodes = fixtureTree().map((node) =>
      node.id === 'e011' ? { ...node, name: attack, hypothesis: `"quoted" & ${attack}` } : node,
    );
    const dir = fixtureWorkdir({ nodes });
    writeFileSync(
      join(dir, 'runs', 'e004', 'analysis.md'),
      `# ${attack}\n\n[click](javascript:alert(1)) <b onmouseover="x">hi</b>\n`,
    );
    await writeHtmlReport(dir);
    const html = readHtml(dir);
    expectNotIn(html, '<script>alert(1)');
    expectNotIn(html, '<b onmouseover');
    expectNotIn(html, '<a href="javascript');
    expectIn(html, '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--');
    expectIn(html, '&quot;quoted&quot; &amp;');
    // Inline scripts: three (vega, vega-lite, the page's own) and one JSON block per chart.
    expect(html.match(/<script>/g)).toHaveLength(3);
    expect(html.match(/<script type="application\/json"/g)).toHaveLength(6);
    expect(html.match(/<\/script>/g)).toHaveLength(9);
    const spec = /<script type="application\/json" id="spec-tree">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(JSON.stringify(JSON.parse(spec))).toContain(attack);
  });

  it('copes with an empty tree and with no tree at all', async () => {
    for (const options of [{ nodes: [] }, { withoutTree: true }]) {
      const dir = fixtureWorkdir(options);
      const written = await writeHtmlReport(dir);
      // Without a tree, master_table.tsv still has the knob effects.
      expect(written).toMatchObject({ fans: 'none', charts: 'withoutTree' in options ? 3 : 2 });
      const html = readHtml(dir);
      expectIn(html, 'No experiments yet.');
      expectIn(html, 'No forecast samples: no experiment has a metric yet.');
    }
  });
});

describe('forecast fans', () => {
  it('come from runs/<best>/fan.json when the evaluator wrote it', async () => {
    const source = await readFanSource(await readReportInputs(fixtureWorkdir()));
    expect(source).toMatchObject({ kind: 'file', experimentId: 'e012', from: 'runs/e012/fan.json' });
    expect(source.kind === 'file' ? source.series.map((series) => series.tenant) : []).toEqual([
      't0008',
      't0009',
      't0010',
    ]);
  });

  it('show the harness default when no candidate was kept (the autoresearch demo’s outcome), not "No forecast samples"', async () => {
    const nodes = fixtureTree().map((node) =>
      node.seedKind === 'best-fixed' || node.seedKind === 'oracle' || node.decision !== 'keep'
        ? node
        : { ...node, decision: 'discard' as const },
    );
    const dir = fixtureWorkdir({ nodes, withoutFan: true });
    mkdirSync(join(dir, 'runs', 'e001'), { recursive: true });
    writeFileSync(join(dir, 'runs', 'e001', 'fan.json'), JSON.stringify(fixtureFan()));
    const source = await readFanSource(await readReportInputs(dir));
    expect(source).toMatchObject({ kind: 'file', experimentId: 'e001', from: 'runs/e001/fan.json' });
    expect(source.kind === 'file' ? source.subject : '').toContain('harness default');
    const written = await writeHtmlReport(dir);
    expect(written.fans).toBe('file');
    const html = readHtml(dir);
    expectIn(html, 'Forecasts of the harness default (no candidate was kept, so there is no best)');
    expectNotIn(html, 'No forecast samples');
  });

  it('are a clear note, not a chart, when the workdir has no samples and nothing to compute them from', async () => {
    const dir = fixtureWorkdir({ withoutFan: true });
    const written = await writeHtmlReport(dir);
    expect(written).toMatchObject({ fans: 'none', charts: 3 });
    const html = readHtml(dir);
    expectIn(
      html,
      '<p class="note" id="no-forecasts">No forecast samples in this workdir: runs/e012/fan.json was not written by the evaluator',
    );
    expectNotIn(html, 'spec-fan-');
  });

  it('say which field of a malformed fan.json is wrong', async () => {
    const dir = fixtureWorkdir();
    const fan = fixtureFan();
    writeFileSync(join(dir, 'runs', 'e012', 'fan.json'), JSON.stringify([{ ...fan[0], history: 'oops' }]));
    const source = await readFanSource(await readReportInputs(dir));
    expect(source).toEqual({
      kind: 'none',
      note: expect.stringMatching(/^runs\/e012\/fan\.json is not valid \(0\.history: /),
    });
  });

  it('are computed from the fleet and the frozen forecaster when the evaluator wrote no fan.json', async () => {
    const dir = fixtureWorkdir({ withoutFan: true });
    // A workdir laid out as the workflow anchors the tiny template: source/, data/, node_modules.
    const template = fileURLToPath(new URL('../templates/tiny/', import.meta.url));
    cpSync(template, join(dir, 'source'), { recursive: true });
    symlinkSync(fileURLToPath(new URL('../../../node_modules', import.meta.url)), join(dir, 'node_modules'));
    await execa('node', ['--import', 'tsx', 'prepare.ts', '--out', join(dir, 'data')], { cwd: join(dir, 'source') });
    const tenants = Array.from({ length: 8 }, (_, i) => `t${String(8 + i).padStart(4, '0')}`);
    const winners = [
      'ctx128-r1-none-flip0',
      'ctx512-r5-mean-std-flip1',
      'ctx256-r15-log1p-flip0',
      'ctx64-r60-last-value-flip1',
    ];
    writeFileSync(
      join(dir, 'runs', 'e012', 'metrics.json'),
      JSON.stringify({
        metric: 0.4415,
        requests: tenants.map((tenantId) => ({ tenantId, losses: [1, 1, 1, 1], latencyMs: 1, winners })),
      }),
    );

    const inputs = await readReportInputs(dir);
    const source = await readFanSource(inputs);
    if (source.kind !== 'computed') throw new Error(`expected computed fans, got ${JSON.stringify(source)}`);
    expect(source.series.map((series) => `${series.tenant}/${series.metric}`)).toEqual([
      't0008/cpu',
      't0009/mem',
      't0010/net',
      't0011/disk',
    ]);
    for (const series of source.series) {
      expect(series.history).toHaveLength(240);
      expect(series.actual).toHaveLength(60);
      expect(Object.keys(series.quantiles).sort()).toEqual(['0.01', '0.1', '0.25', '0.5', '0.75', '0.9', '0.99']);
      // The fan is nested: each level at or above the one below it, at every step.
      const levels = ['0.01', '0.1', '0.25', '0.5', '0.75', '0.9', '0.99'].map(
        (level) => series.quantiles[level] ?? [],
      );
      for (let step = 0; step < 60; step++)
        for (let k = 1; k < levels.length; k++)
          expect(levels[k]?.[step]).toBeGreaterThanOrEqual(levels[k - 1]?.[step] ?? Infinity);
    }
    expect(await readFanSource(inputs)).toEqual(source);
    const written = await writeHtmlReport(dir);
    expect(written).toMatchObject({ fans: 'computed', charts: 7 });
    expectIn(
      readHtml(dir),
      'Computed for this report by the template’s frozen forecaster (<code>source/prepare.ts</code>) on the fleet in <code>data/</code>',
    );
  });
});

describe('fanSpec', () => {
  it('draws the bands it has the levels for, a median, the history and the actual values', () => {
    const [series] = fixtureFan();
    if (!series) throw new Error('fixture has no fan');
    const layers = (
      fanSpec(series) as { layer: Array<{ mark: { type: string }; encoding: Record<string, { datum?: string }> }> }
    ).layer;
    expect(layers.filter((layer) => layer.mark.type === 'area').map((layer) => layer.encoding['fill']?.datum)).toEqual([
      '98% interval',
      '80% interval',
      '50% interval',
    ]);
    expect(
      layers.filter((layer) => layer.mark.type === 'line').map((layer) => layer.encoding['stroke']?.datum),
    ).toEqual(['history', 'actual', 'median']);
    const narrower = Object.fromEntries(
      Object.entries(series.quantiles).filter(([level]) => level !== '0.01' && level !== '0.99'),
    );
    const partial = fanSpec({ ...series, quantiles: narrower, actual: undefined }) as {
      layer: Array<{ mark: { type: string } }>;
    };
    expect(partial.layer.filter((layer) => layer.mark.type === 'area')).toHaveLength(2);
    expect(partial.layer.filter((layer) => layer.mark.type === 'line')).toHaveLength(2);
  });
});

describe('markdownToHtml', () => {
  it('renders the subset analyses use, with every piece of text escaped', () => {
    const html = markdownToHtml(
      [
        '# Result <1>',
        '',
        '**Decision.** keep *because* `a<b`',
        '',
        '| compared with | change |',
        '|---|---|',
        '| parent e007 | −2.4% |',
        '',
        '- one',
        '- two',
        '',
        '```',
        '<script>x</script>',
        '```',
      ].join('\n'),
      3,
    );
    expect(html).toBe(
      [
        '<h4>Result &lt;1&gt;</h4>',
        '<p><strong>Decision.</strong> keep <em>because</em> <code>a&lt;b</code></p>',
        '<table class="md-table"><thead><tr><th>compared with</th><th>change</th></tr></thead><tbody><tr><td>parent e007</td><td>−2.4%</td></tr></tbody></table>',
        '<ul><li>one</li><li>two</li></ul>',
        '<pre><code>&lt;script&gt;x&lt;/script&gt;</code></pre>',
      ].join('\n'),
    );
  });

  it('makes no links or tags from the text, and leaves snake_case and 2*3*4 alone', () => {
    expect(markdownToHtml('[x](javascript:alert(1)) <img src=x onerror=y> snake_case_name 2*3*4')).toBe(
      '<p>[x](javascript:alert(1)) &lt;img src=x onerror=y&gt; snake_case_name 2*3*4</p>',
    );
  });
});

describe('client.js', () => {
  // The page's script is plain JavaScript (it is inlined as written), so this package's tsc, which
  // has no DOM library, does not see it; it is checked here, strictly, against the DOM instead.
  it('type-checks as strict JavaScript against the DOM library', async () => {
    const dir = tempDir('client-js-check-');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          allowJs: true,
          checkJs: true,
          noEmit: true,
          strict: true,
          noUncheckedIndexedAccess: true,
          target: 'es2022',
          module: 'esnext',
          lib: ['es2023', 'dom', 'dom.iterable'],
          types: [],
        },
        files: [fileURLToPath(new URL('../src/report/html/client.js', import.meta.url))],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await execa('node', [tsc, '-p', join(dir, 'tsconfig.json')], { reject: false });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});

describe('jsonForScript', () => {
  it('cannot end a script element, and reads back as the same value', () => {
    const value = { text: '</script><!-- & \u2028 >' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('run.ts report --html', () => {
  it('parses the flag, and leaves the command as it was without it', () => {
    expect(parseCommand(['report', 'wd', '--html'])).toEqual({ kind: 'report', workdir: 'wd', html: true });
    expect(parseCommand(['report', 'wd'])).toEqual({ kind: 'report', workdir: 'wd' });
  });

  it('writes report.html beside report.md', async () => {
    const dir = fixtureWorkdir();
    // An adapter module without writeReport, so the report is the research outputs, not a domain's own.
    const adapter = join(dir, 'adapter.mjs');
    writeFileSync(adapter, 'export async function createAdapter() { throw new Error("not used by report"); }\n');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, adapterModule: adapter }));
    const out: string[] = [];
    const err: string[] = [];
    expect(
      await main(['report', dir, '--html'], { out: (text) => out.push(text), err: (text) => err.push(text) }),
    ).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([`wrote ${join(dir, 'report.md')}`, `wrote ${join(dir, 'report.html')}`]);
    expectIn(readHtml(dir), '<h1>Autoresearch report: ');
  });
});
