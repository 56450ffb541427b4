/**
 * Writes the run's outputs into the workdir: summary.md, progress.png, hypothesis_tree.png,
 * knob_effects.png and report.md. Called after every experiment completes and by `run.ts report`, so it is:
 * - idempotent and deterministic: built only from workdir files, sorted everywhere, no clock;
 *   the same files give the same bytes (PNGs included: vega and resvg are deterministic);
 * - safe to read at any moment: every file is replaced atomically (temp + fsync + rename), and
 *   two calls racing each other leave one whole version of each file.
 *
 * The synthesis is the one part that is not a function of the files: it is a model's prose. It
 * is written only when the caller passes `synthesize` (the runner does when it has an API key),
 * and is cached with a hash of the text it was made from, so calling again after nothing changed
 * costs no second call and gives the same report.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { svgToPng, vegaLiteToSvg, type VegaLiteSpec } from '@tsfm/charts';
import { writeFileAtomic, writeJsonAtomic } from '../workdir/atomic-file.js';
import { knobEffectsSpec } from './knob-effects-spec.js';
import { KNOB_EFFECTS_PNG } from './knob-effects-md.js';
import { progressSpec } from './progress-spec.js';
import { bestNode } from './ranking.js';
import { nestMarkdown } from './markdown.js';
import { NO_SYNTHESIS, renderReport } from './report-md.js';
import { renderSummary } from './summary-md.js';
import { readReportInputs, synthesisView, SYNTHESIS_CACHE_NAME, type ReportInputs } from './tree-input.js';
import { treeSpec } from './tree-spec.js';

export const OUTPUT_FILES = {
  summary: 'summary.md',
  progress: 'progress.png',
  tree: 'hypothesis_tree.png',
  report: 'report.md',
  knobEffects: KNOB_EFFECTS_PNG,
} as const;

/** Turns the report (without its synthesis section) into the synthesis text, in Markdown. */
export type Synthesize = (reportWithoutSynthesis: string) => Promise<string>;

export interface WriteOutputsOptions {
  /** Given only when a model can be called (ANTHROPIC_API_KEY set); otherwise the section says so. */
  readonly synthesize?: Synthesize | undefined;
}

export type SynthesisOutcome = 'not-requested' | 'generated' | 'cached' | 'failed';

export interface OutputsWritten {
  /** Absolute paths of the files written. */
  readonly summary: string;
  readonly progress: string;
  readonly tree: string;
  readonly report: string;
  /** knob_effects.png, when some knob took two values (report.md shows it then). */
  readonly knobEffects: string | null;
  readonly experiments: number;
  readonly bestId: string | null;
  readonly synthesis: SynthesisOutcome;
}

/** Device pixels per chart pixel: sharp on a laptop screen, smaller for big trees so PNGs stay openable. */
const PNG_SCALE = 2;
const LARGE_CANVAS_PX = 2400;

export async function writeOutputs(workdir: string, options: WriteOutputsOptions = {}): Promise<OutputsWritten> {
  let inputs = await readReportInputs(workdir);
  const { lines, outcome } = await synthesisSection(inputs, options.synthesize);
  // A call made (or refused) just now is in the call log: read it again so the totals include it.
  if (outcome === 'generated' || outcome === 'failed') inputs = await readReportInputs(workdir);
  const root = inputs.paths.root;
  const target = (name: string): string => join(root, name);

  await writeFileAtomic(target(OUTPUT_FILES.summary), renderSummary(inputs));
  await writePng(progressSpec(inputs.nodes), target(OUTPUT_FILES.progress));
  await writePng(treeSpec(inputs.nodes), target(OUTPUT_FILES.tree));
  const effects = inputs.knobEffects;
  const knobEffects = effects && effects.knobs.length > 0 ? target(OUTPUT_FILES.knobEffects) : null;
  if (effects && knobEffects) await writePng(knobEffectsSpec(effects), knobEffects);
  await writeFileAtomic(target(OUTPUT_FILES.report), renderReport(inputs, lines));

  return {
    summary: target(OUTPUT_FILES.summary),
    progress: target(OUTPUT_FILES.progress),
    tree: target(OUTPUT_FILES.tree),
    report: target(OUTPUT_FILES.report),
    knobEffects,
    experiments: inputs.nodes.length,
    bestId: bestNode(inputs.nodes)?.id ?? null,
    synthesis: outcome,
  };
}

export async function renderChartPng(spec: VegaLiteSpec): Promise<Buffer> {
  const { width, height } = spec as { width?: number; height?: number };
  const large = Math.max(width ?? 0, height ?? 0) > LARGE_CANVAS_PX;
  return svgToPng(await vegaLiteToSvg(spec), large ? 1 : PNG_SCALE);
}

// @tsfm/charts' renderPng writes in place; a report read mid-write (or a killed runner) would
// leave a torn PNG, so the bytes go through the same atomic write as every other workdir file.
async function writePng(spec: VegaLiteSpec, path: string): Promise<void> {
  await writeFileAtomic(path, await renderChartPng(spec));
}

interface SynthesisCache {
  readonly inputSha256: string;
  readonly text: string;
}

async function synthesisSection(
  inputs: ReportInputs,
  synthesize: Synthesize | undefined,
): Promise<{ lines: string[]; outcome: SynthesisOutcome }> {
  if (!synthesize) return { lines: [NO_SYNTHESIS], outcome: 'not-requested' };
  const input = renderReport(synthesisView(inputs), null);
  const inputSha256 = createHash('sha256').update(input).digest('hex');
  const cacheFile = join(inputs.paths.logsDir, SYNTHESIS_CACHE_NAME);
  const cached = await readCache(cacheFile);
  if (cached?.inputSha256 === inputSha256) return { lines: asLines(cached.text), outcome: 'cached' };
  try {
    const text = (await synthesize(input)).trim();
    if (!text) throw new Error('the model returned no text');
    await mkdir(inputs.paths.logsDir, { recursive: true });
    await writeJsonAtomic(cacheFile, { inputSha256, text } satisfies SynthesisCache);
    return { lines: asLines(text), outcome: 'generated' };
  } catch (error) {
    // A failed call must not cost the rest of the report; the next call tries again.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
    return { lines: [`Synthesis: not generated (the call failed: ${message})`], outcome: 'failed' };
  }
}

async function readCache(file: string): Promise<SynthesisCache | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<SynthesisCache>;
    return typeof value.inputSha256 === 'string' && typeof value.text === 'string'
      ? { inputSha256: value.inputSha256, text: value.text }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The model's Markdown sits under our "## Synthesis": its own headings are moved below it. */
function asLines(text: string): string[] {
  return nestMarkdown(text, 2);
}
