/** How numbers and names are written in every output, so the Markdown and the charts agree. */

/** Metrics are scale-free losses around 0.1–10: four decimals tell runs apart without noise. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 1000 ? value.toPrecision(6) : value.toFixed(4);
}

/** A relative change as a signed percentage: `-12.3%` is 12.3% lower (better). */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '—';
  const percent = change * 100;
  const text = Math.abs(percent) < 0.05 ? '0.0' : Math.abs(percent).toFixed(1);
  return text === '0.0' ? '±0.0%' : `${percent < 0 ? '−' : '+'}${text}%`;
}

/** A metric difference with an explicit sign, in the metric's units. */
export function formatDelta(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '—';
  return `${delta < 0 ? '−' : delta > 0 ? '+' : '±'}${Math.abs(delta).toFixed(4)}`;
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(1, max - 1)).trimEnd()}…`;
}

export const METRIC_LABEL = 'mean scale-free α-pinball loss';
