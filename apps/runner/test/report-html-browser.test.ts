/**
 * report.html in a real browser: Debian's headless Chromium driven by playwright-core (never
 * `npx playwright install`, which downloads a browser). The page must draw every chart with no
 * console error and no request beyond its own file, sort its ledger by mouse and keyboard, and run
 * nothing that came from the workdir's text. A screenshot of the whole page is saved to the
 * workdir (and to /tmp/report-html.png) for a person to look at.
 */
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../src/report/index.js';
import { FIXTURE_RANKING, FIXTURE_UNMEASURED, fixtureTree, fixtureWorkdir } from './report-fixture.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT_COPY = '/tmp/report-html.png';

interface Visit {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly consoleWarnings: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
  readonly blocked: string[];
}

const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium)('report.html in headless Chromium', () => {
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    profile = tempDir('report-html-chromium-');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1360, height: 900 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens report.html with every non-file request refused and recorded, and waits for the charts. */
  async function visit(html: string): Promise<Visit> {
    const page = await context.newPage();
    const visit: Visit = { page, consoleErrors: [], consoleWarnings: [], pageErrors: [], requests: [], blocked: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') visit.consoleErrors.push(message.text());
      if (message.type() === 'warning') visit.consoleWarnings.push(message.text());
    });
    page.on('pageerror', (error) => visit.pageErrors.push(error.message));
    page.on('request', (request) => visit.requests.push(request.url()));
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      visit.blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(html).href);
    // A string, evaluated in the page: this package is type-checked without the DOM library.
    await page.waitForFunction(
      "[...document.querySelectorAll('.chart')].every((chart) => chart.hasAttribute('data-rendered'))",
      undefined,
      { timeout: 20_000 },
    );
    return visit;
  }

  async function ledgerIds(page: Page): Promise<string[]> {
    return page.$$eval('#ledger-table tbody tr', (rows) => rows.map((row) => row.getAttribute('data-id') ?? ''));
  }

  it('draws every chart, loads nothing, logs no error, sorts the ledger; saves a screenshot', async () => {
    const dir = fixtureWorkdir();
    const { path } = await writeHtmlReport(dir);
    const { page, consoleErrors, consoleWarnings, pageErrors, requests, blocked } = await visit(path);

    const charts = await page.$$eval('.chart', (elements) =>
      elements.map((chart) => ({
        spec: chart.getAttribute('data-spec'),
        rendered: chart.getAttribute('data-rendered'),
        svg: chart.querySelectorAll('svg').length,
        symbols: chart.querySelectorAll('g.role-mark.mark-symbol > path').length,
        lines: chart.querySelectorAll('g.role-mark.mark-line > path').length,
        areas: chart.querySelectorAll('g.role-mark.mark-area > path').length,
      })),
    );
    expect(charts.map((chart) => chart.spec)).toEqual([
      'spec-tree',
      'spec-progress',
      'spec-knobs',
      'spec-fan-0',
      'spec-fan-1',
      'spec-fan-2',
    ]);
    for (const chart of charts) {
      expect(chart.rendered, chart.spec ?? '').toBe('ok');
      expect(chart.svg, chart.spec ?? '').toBe(1);
    }
    const [tree, progress, knobs, ...fans] = charts;
    expect(tree?.symbols).toBe(15 + 1); // every node, and the ring round the best one
    // every finished experiment: 10 with a metric, 2 crashes; and the latency panel: the 10 with a p99
    expect(progress?.symbols).toBe(22);
    // a point per value of each of the six knobs the 8 candidates set or left unset (13 values)
    expect(knobs?.symbols).toBe(13);
    for (const fan of fans) {
      expect(fan.areas).toBe(3); // the 98%, 80% and 50% bands
      expect(fan.lines).toBe(3); // history, actual, median
    }

    // A tooltip: hovering the best node of the tree shows its name, as text.
    await page
      .locator('[data-spec="spec-tree"] g.role-mark.mark-symbol > path[aria-label*="name: resolution-5m"]')
      .hover();
    await expect.poll(() => page.locator('.chart-tooltip').isVisible()).toBe(true);
    expect(await page.locator('.chart-tooltip').textContent()).toContain('resolution-5m');

    // The page opens in the report's ranking; the metric header sorts down, then up again.
    const ranked = FIXTURE_RANKING;
    expect(await ledgerIds(page)).toEqual(ranked);
    const metricHeader = page.locator('#ledger-table th[data-key="metric"]');
    await metricHeader.locator('button').click();
    expect(await metricHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await ledgerIds(page)).toEqual([
      'e001',
      'e005',
      'e002',
      'e008',
      'e004',
      'e011',
      'e010',
      'e007',
      'e012',
      'e003',
      ...FIXTURE_UNMEASURED,
    ]);
    await metricHeader.locator('button').click();
    expect(await ledgerIds(page)).toEqual(ranked);

    // By keyboard: Enter on the latency header sorts by latency; a tie keeps the ranking (e003 before e002).
    await page.locator('#ledger-table th[data-key="latency"] button').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#ledger-table th[data-key="latency"]').getAttribute('aria-sort')).toBe('ascending');
    expect(await metricHeader.getAttribute('aria-sort')).toBeNull();
    expect(await ledgerIds(page)).toEqual([
      'e001',
      'e003',
      'e002',
      'e004',
      'e005',
      'e007',
      'e008',
      'e010',
      'e011',
      'e012',
      ...FIXTURE_UNMEASURED,
    ]);
    await metricHeader.locator('button').click();

    const external = await page.$$eval('[src], [href]', (elements) =>
      elements
        .flatMap((element) => ['src', 'href'].map((name) => element.getAttribute(name) ?? ''))
        .filter((value) => /^\s*(https?:)?\/\//i.test(value)),
    );
    expect(external).toEqual([]);
    expect(blocked).toEqual([]);
    expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(consoleWarnings).toEqual([]);

    const screenshot = join(dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    copyFileSync(screenshot, SCREENSHOT_COPY);
    console.log(`report.html screenshot: ${screenshot} (copied to ${SCREENSHOT_COPY})`);
    await page.close();
  });

  it('draws the placeholder charts of a run with no experiments yet, without errors', async () => {
    const { path } = await writeHtmlReport(fixtureWorkdir({ nodes: [] }));
    const { page, consoleErrors, pageErrors, blocked } = await visit(path);
    expect(
      await page.$$eval('.chart', (charts) =>
        charts.map((chart) => [
          chart.getAttribute('data-spec'),
          chart.getAttribute('data-rendered'),
          chart.querySelectorAll('svg').length,
        ]),
      ),
    ).toEqual([
      ['spec-tree', 'ok', 1],
      ['spec-progress', 'ok', 1],
    ]);
    expect(await page.locator('#no-forecasts').textContent()).toBe(
      'No forecast samples: no experiment has a metric yet.',
    );
    expect([...blocked, ...pageErrors, ...consoleErrors]).toEqual([]);
    await page.close();
  });

  it('runs nothing that came from the workdir: names, hypotheses and analyses show as text', async () => {
    const attack = '</script><script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">';
    const nodes = fixtureTree().map((node) =>
      node.id === 'e011' ? { ...node, name: `clamp ${attack}`, hypothesis: `why not ${attack}` } : node,
    );
    const dir = fixtureWorkdir({ nodes });
    writeFileSync(
      join(dir, 'runs', 'e004', 'analysis.md'),
      `# Findings ${attack}\n\n| a | b |\n|---|---|\n| ${attack} | **bold** |\n\n\`\`\`\n${attack}\n\`\`\`\n`,
    );
    const { path } = await writeHtmlReport(dir);
    const { page, consoleErrors, pageErrors, blocked } = await visit(path);

    expect(await page.evaluate('typeof window.__injected')).toBe('undefined');
    expect(await page.locator('#ledger-table tr[data-id="e011"] td').nth(1).textContent()).toContain(attack);
    expect(await page.locator('#exp-e004 .analysis table').textContent()).toContain(attack);
    expect(await page.$$eval('.chart', (charts) => charts.map((chart) => chart.getAttribute('data-rendered')))).toEqual(
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'],
    );
    expect(blocked).toEqual([]); // the <img src=x> stayed text, so nothing tried to load it
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});

if (!haveChromium) {
  describe('report.html in headless Chromium', () => {
    it.skip(`SKIPPED: ${CHROMIUM} is missing; scripts/setup.sh installs it (apt-get install chromium)`, () => {});
  });
}
