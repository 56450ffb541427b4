/**
 * The two ways user-derived text enters report.html: as HTML text or attribute values, and as
 * JSON inside a <script> element. Every name, hypothesis, analysis and param goes through one of
 * these; nothing is concatenated into the page raw.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in text content and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * JSON that can sit inside <script type="application/json"> and be read back with JSON.parse.
 * The HTML parser ends a script at `</script` whatever the JSON means, and `<!--` can switch it
 * into a state where the real end tag is missed; writing every `<` as \u003c rules both out, and
 * JSON.parse turns it back into `<`. U+2028/2029 are escaped too, so the text is also valid JS.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Inline JavaScript (the vendored vega builds, our client script) must not contain `</script`:
 * the HTML parser would end the element there. The builds are checked rather than rewritten,
 * since rewriting minified code is how one breaks it.
 */
export function assertInlineScriptSafe(source: string, what: string): string {
  if (/<\/script|<!--/i.test(source))
    throw new Error(`${what} contains "</script" or "<!--" and cannot be inlined into report.html`);
  return source;
}

/**
 * An element id made from a node id: readable when the id is plain, index-based otherwise. The
 * `~` cannot occur in a plain id, so the two kinds never collide.
 */
export function anchorId(prefix: string, id: string, index: number): string {
  return /^[A-Za-z0-9_.-]+$/.test(id) ? `${prefix}-${id}` : `${prefix}~${index}`;
}
