/** Small Markdown writers shared by summary.md and report.md. */

/** A table cell on one line: pipes escaped, newlines and tabs flattened. */
export function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

export function code(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.includes('`') ? `\`\` ${flat} \`\`` : `\`${flat}\``;
}

/** A fenced block whose fence is longer than any backtick run inside, so the text cannot close it. */
export function fenced(text: string, language = ''): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${language}`, ...text.replace(/\n$/, '').split('\n'), fence];
}

/** Params as compact, key-sorted JSON, so the same params always read the same. */
export function paramsText(params: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(sortKeys(params));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * Embeds another Markdown file under a heading of `level`: its headings move down below that
 * level (capped at 6) so they nest instead of breaking the outline. Fenced code is left alone.
 */
export function nestMarkdown(text: string, level: number): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (opener) {
      if (fence === null) fence = opener;
      else if (opener.startsWith(fence[0] ?? '`') && opener.length >= fence.length) fence = null;
      return line;
    }
    if (fence !== null) return line;
    const heading = /^(#{1,6})(\s.*)$/.exec(line);
    if (!heading) return line;
    return `${'#'.repeat(Math.min(6, (heading[1]?.length ?? 1) + level))}${heading[2] ?? ''}`;
  });
}
