/**
 * docs/benchmarks.md is shared by every package's benchmark: each owns one `## <name>` section and
 * replaces only that one, so reruns of one benchmark never disturb the numbers of another.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCHMARKS_DOC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'benchmarks.md');

/**
 * Replaces the section that starts at the line `heading` (up to the next `## ` heading) with
 * `section`, or appends it. Written to a temporary file and renamed, so a reader never sees a
 * half-written document.
 */
export function writeBenchmarkSection(heading: string, section: string, path = BENCHMARKS_DOC): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const lines = current.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  const body = section.replace(/\n*$/, '').split('\n');
  let next: string[];
  if (start < 0) {
    next = [...current.replace(/\n*$/, '').split('\n'), '', ...body];
  } else {
    let end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
    if (end < 0) end = lines.length;
    next = [...lines.slice(0, start), ...body, ...(end < lines.length ? ['', ...lines.slice(end)] : [])];
  }
  writeFileSync(`${path}.tmp`, `${next.join('\n').replace(/\n*$/, '')}\n`);
  renameSync(`${path}.tmp`, path);
}
