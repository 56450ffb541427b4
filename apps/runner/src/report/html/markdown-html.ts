/**
 * The small Markdown subset analysis.md files use (workflow/research/analysis.ts), turned into HTML:
 * headings, paragraphs, bullet and numbered lists, fenced code, pipe tables, `code`, **bold** and
 * *italic*. Safe by construction: every piece of text is HTML-escaped before any tag is added, and
 * no construct creates a link, an image or an attribute, so nothing in a file can run or load.
 * Anything else (links, HTML, nested lists) simply shows as its escaped text.
 */
import { escapeHtml } from './escape.js';

/** `headingShift` moves headings down so an embedded file nests under the page's own. */
export function markdownToHtml(markdown: string, headingShift = 0): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !isClosingFence(lines[i] ?? '', fence)) body.push(lines[i++] ?? '');
      i++; // the closing fence (or the end of the file, for an unclosed one)
      out.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = Math.min(6, (heading[1]?.length ?? 1) + headingShift);
      out.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      i++;
      continue;
    }
    if (isTableRow(line) && isTableRule(lines[i + 1] ?? '')) {
      const header = cells(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && isTableRow(lines[i] ?? '')) rows.push(cells(lines[i++] ?? ''));
      out.push(
        '<table class="md-table"><thead><tr>' +
          header.map((cell) => `<th>${inline(cell)}</th>`).join('') +
          '</tr></thead><tbody>' +
          rows
            .map((row) => '<tr>' + header.map((_, c) => `<td>${inline(row[c] ?? '')}</td>`).join('') + '</tr>')
            .join('') +
          '</tbody></table>',
      );
      continue;
    }
    const listKind = listItem(line);
    if (listKind) {
      const items: string[] = [];
      while (i < lines.length) {
        const item = listItem(lines[i] ?? '');
        if (item?.ordered === listKind.ordered) {
          items.push(item.text);
          i++;
        } else if (items.length > 0 && /^\s{2,}\S/.test(lines[i] ?? '') && !listItem(lines[i] ?? '')) {
          items[items.length - 1] += ` ${(lines[i++] ?? '').trim()}`; // a wrapped continuation line
        } else {
          break;
        }
      }
      const tag = listKind.ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</${tag}>`);
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && !startsBlock(lines, i))
      paragraph.push((lines[i++] ?? '').trim());
    out.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
  }
  return out.join('\n');
}

function isClosingFence(line: string, fence: string): boolean {
  const match = /^\s*(`{3,}|~{3,})\s*$/.exec(line)?.[1];
  return match !== undefined && match[0] === fence[0] && match.length >= fence.length;
}

function startsBlock(lines: readonly string[], i: number): boolean {
  const line = lines[i] ?? '';
  return (
    /^\s*(`{3,}|~{3,})/.test(line) ||
    /^#{1,6}\s/.test(line) ||
    listItem(line) !== undefined ||
    (isTableRow(line) && isTableRule(lines[i + 1] ?? ''))
  );
}

function listItem(line: string): { ordered: boolean; text: string } | undefined {
  const bullet = /^\s{0,3}[-*+]\s+(.*)$/.exec(line);
  if (bullet) return { ordered: false, text: bullet[1] ?? '' };
  const numbered = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/.exec(line);
  return numbered ? { ordered: true, text: numbered[1] ?? '' } : undefined;
}

function isTableRow(line: string): boolean {
  return /^\s*\|.*\|\s*$/.test(line);
}

function isTableRule(line: string): boolean {
  return /^\s*\|(\s*:?-{1,}:?\s*\|)+\s*$/.test(line);
}

/** Cells of `| a | b \| c |`: an escaped pipe stays in its cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/**
 * Inline markup on already-escaped text. Code spans are cut out first so `**` inside them stays
 * literal; the markers `*` and `` ` `` are not touched by escaping, so matching after it is safe.
 */
function inline(text: string): string {
  const parts = escapeHtml(text).split(/(`+)(.+?)\1/);
  let html = '';
  for (let k = 0; k < parts.length; k++) {
    if (k % 3 === 0) html += emphasis(parts[k] ?? '');
    else if (k % 3 === 2) html += `<code>${(parts[k] ?? '').trim()}</code>`;
  }
  return html;
}

function emphasis(text: string): string {
  return text
    .replace(/\*\*(\S(?:.*?\S)?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(\S(?:.*?\S)?)\*(?![*\w])/g, '$1<em>$2</em>');
}
