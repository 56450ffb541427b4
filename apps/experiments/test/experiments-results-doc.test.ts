import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVISIONING_BOUNDARY, PROVISIONING_REPORT_MARKER } from '../src/provisioning-section.js';
import { writeResultsDoc } from '../src/results-doc.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

// The shape of packages/provisioning/src/cli/simulate.ts's summary.md: chart paths in backticks,
// relative to where the simulator ran, on the line before the table they plot.
const SUMMARY = `Command: \`npx tsx packages/provisioning/src/cli/simulate.ts --out out/simulate\`

### fleet: 2 series, last 7 days (3 s)

| policy | slack |
|---|---:|
| harness | 3.5 % |

α sweep on the first 2 series (every policy on the same series; the frontier chart plots this table): \`out/simulate/fleet-frontier.png\`

| policy | slack |
|---|---:|
| harness@0.9 | 4.5 % |

### nab: 1 series, last 7 days (1 s)

| policy | slack |
|---|---:|
| harness | 29.1 % |

Frontier chart: \`out/simulate/nab-frontier.png\`
`;

/** A repo with its output folders; `doc` is where every writeResultsDoc call of a test writes. */
function workspace(): {
  root: string;
  sim: string;
  docPath: string;
  doc: { outDir: string; docPath: string; repoRoot: string };
} {
  const root = tempDir('results-doc-');
  const out = join(root, 'out', 'experiments');
  const sim = join(root, 'out', 'simulate');
  mkdirSync(out, { recursive: true });
  mkdirSync(sim, { recursive: true });
  mkdirSync(join(root, 'docs'));
  const docPath = join(root, 'docs', 'results.md');
  return { root, sim, docPath, doc: { outDir: out, docPath, repoRoot: root } };
}

function simulatorOutput(sim: string): void {
  writeFileSync(join(sim, 'summary.md'), SUMMARY);
  writeFileSync(join(sim, 'fleet-frontier.png'), 'fleet png');
  writeFileSync(join(sim, 'nab-frontier.png'), 'nab png');
}

describe('docs/results.md: the provisioning replay section', () => {
  it("embeds the simulator's report inside the hand-written notes and copies its charts next to the page", () => {
    const w = workspace();
    simulatorOutput(w.sim);
    const notes = `Setup prose.\n\n${PROVISIONING_REPORT_MARKER}\n\n### Reading\n\n- Reading prose.\n`;
    const text = writeResultsDoc({
      ...w.doc,
      scope: 'test',
      provisioningDir: w.sim,
      provisioningNotes: notes,
    });

    const section = text.slice(text.indexOf(PROVISIONING_BOUNDARY));
    expect(section).toMatch(
      /^<!-- provisioning-replay: [^\n]*-->\n\n## Provisioning replay\n\nSetup prose\.\n\nThe tables below are the simulator's own report \(`out\/simulate\/summary\.md`\)/,
    );
    expect(section.indexOf('| harness@0.9 | 4.5 % |')).toBeLessThan(section.indexOf('### Reading'));
    expect(section).not.toContain(PROVISIONING_REPORT_MARKER);
    // Each picture follows the table it plots (NAB: no sweep table, so at the end of its part).
    expect(section).toContain(
      '| harness@0.9 | 4.5 % |\n\n![Provisioning replay, fleet: slack vs violation rate](results/provisioning-replay-fleet.png)\n\n### nab',
    );
    expect(section).toContain(
      'Frontier chart: [provisioning-replay-nab.png](results/provisioning-replay-nab.png)\n\n![Provisioning replay, nab: slack vs violation rate](results/provisioning-replay-nab.png)',
    );
    expect(readFileSync(join(w.root, 'docs', 'results', 'provisioning-replay-fleet.png'), 'utf8')).toBe('fleet png');
    expect(readFileSync(join(w.root, 'docs', 'results', 'provisioning-replay-nab.png'), 'utf8')).toBe('nab png');
    expect(text.endsWith('- Reading prose.\n')).toBe(true);
  });

  it('places the report after the notes when they have no marker, and regenerates to the same page', () => {
    const w = workspace();
    simulatorOutput(w.sim);
    const options = {
      ...w.doc,
      scope: 'test',
      provisioningDir: w.sim,
      provisioningNotes: 'Setup prose.\n',
    };
    const first = writeResultsDoc(options);
    expect(first).toContain('## Provisioning replay\n\nSetup prose.\n\nThe tables below');
    expect(writeResultsDoc(options)).toBe(first);
  });

  it("keeps the page's replay section as it is when the simulator's report is absent", () => {
    const w = workspace();
    simulatorOutput(w.sim);
    const withReport = writeResultsDoc({
      ...w.doc,
      scope: 'test',
      provisioningDir: w.sim,
      provisioningNotes: 'Setup prose.\n',
    });
    const section = withReport.slice(withReport.indexOf(PROVISIONING_BOUNDARY));

    const missing = join(w.root, 'out', 'no-simulate');
    expect(existsSync(missing)).toBe(false);
    const rerun = writeResultsDoc({
      ...w.doc,
      scope: 'another scope',
      provisioningDir: missing,
    });
    expect(rerun).toContain('Scope: another scope');
    expect(rerun.slice(rerun.indexOf(PROVISIONING_BOUNDARY))).toBe(section);
    // No folder given at all (a library caller): the same.
    expect(writeResultsDoc({ ...w.doc, scope: 'another scope' })).toBe(rerun);
  });

  it('keeps a hand-written section from a page written before the boundary comment existed', () => {
    const w = workspace();
    writeFileSync(w.docPath, '# Results\n\n## M6\n\nold tables\n\n## Provisioning replay\n\nHand-written replay.\n');
    const text = writeResultsDoc({ ...w.doc, scope: 'test' });
    expect(text).not.toContain('old tables');
    expect(text.endsWith(`${PROVISIONING_BOUNDARY}\n\n## Provisioning replay\n\nHand-written replay.\n`)).toBe(true);
  });
});
