/**
 * Markdown formatting shared by the experiment reports: numbers with a fixed number of
 * significant digits, p-values that never print as a bare 0, and pipe tables.
 */

export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '—' : String(x);
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(digits)).toString();
}

export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '—';
}

export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p === 0) return '< 1e-300';
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}

export function ci(lo: number, hi: number, asPct = true): string {
  if (Number.isNaN(lo) && Number.isNaN(hi)) return '[n/a: one cluster]';
  return asPct ? `[${pct(lo)}, ${pct(hi)}]` : `[${fmt(lo)}, ${fmt(hi)}]`;
}

export function table(
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const a = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (cells: readonly (string | number)[]): string =>
    `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), `|${a.map((x) => (x === 'l' ? '---' : '---:')).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface ModelProvenance {
  readonly manifestPath: string;
  readonly name: string;
  readonly version: string;
  readonly sha256: string;
  /** True when the manifest says the weights were never trained (random-weight stand-in). */
  readonly untrained: boolean;
  readonly corpus: string;
}

export function modelBanner(model: ModelProvenance): string {
  if (model.untrained) {
    return (
      `> **RANDOM-WEIGHT MODEL — NOT A RESULT.** These numbers come from a model with the default ` +
      `architecture and random weights (${model.corpus}); they exercise the pipeline only. ` +
      `Rerun with the trained default model (packages/pretrain/model/model.json).`
    );
  }
  return `Model: \`${model.name}\` ${model.version} (sha256 ${model.sha256.slice(0, 12)}…), corpus: ${model.corpus}.`;
}

export interface RunInfo {
  readonly command: string;
  readonly startedAt: string;
  readonly wallSeconds: number;
  /** CPU seconds of the whole process (all threads, ORT included) during the run. */
  readonly cpuSeconds?: number;
  readonly workers: number;
  readonly machine: string;
  readonly loadAverage: readonly number[];
}

/** CPU seconds (user + system, all threads of this process) since `from` (a process.cpuUsage()). */
export function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}
