/**
 * `run.ts report <workdir> --html`: writes <workdir>/report.html, one self-contained file (see
 * page.ts). Deterministic like the other outputs (same workdir files → same bytes) and written
 * atomically, so a browser refreshing mid-write sees the old page or the new one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../workdir/atomic-file.js';
import { readReportInputs } from '../tree-input.js';
import { assertInlineScriptSafe } from './escape.js';
import { readFanSource, type FanSource } from './fan-data.js';
import { renderHtmlReport } from './page.js';
import { loadVendorScripts } from './vendor.js';

export const HTML_REPORT_FILE = 'report.html';

export interface HtmlReportWritten {
  /** Absolute path of report.html. */
  readonly path: string;
  /** Where the fan charts came from: the evaluator's fan.json, the template's forecaster, or nowhere. */
  readonly fans: FanSource['kind'];
  /** Vega views on the page: tree, progress, knob effects (when a knob varied) and one per fan. */
  readonly charts: number;
}

export async function writeHtmlReport(workdir: string): Promise<HtmlReportWritten> {
  const inputs = await readReportInputs(workdir);
  const fans = await readFanSource(inputs);
  const client = assertInlineScriptSafe(
    await readFile(new URL('./client.js', import.meta.url), 'utf8'),
    'report/html/client.js',
  );
  const html = renderHtmlReport(inputs, fans, { vendor: await loadVendorScripts(), client });
  const path = join(inputs.paths.root, HTML_REPORT_FILE);
  await writeFileAtomic(path, html);
  const knobChart = inputs.knobEffects && inputs.knobEffects.knobs.length > 0 ? 1 : 0;
  return { path, fans: fans.kind, charts: 2 + knobChart + (fans.kind === 'none' ? 0 : fans.series.length) };
}
