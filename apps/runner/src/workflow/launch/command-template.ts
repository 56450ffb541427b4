/**
 * Launch command templates (`--launch '<template>'`), run by /bin/sh in the experiment's
 * worktree. Placeholders:
 *
 *   {cmd}  the evaluation command line, inserted as is (it is already a quoted command line)
 *   {cwd}  the worktree          {log}  runs/<id>/log          {id}  the experiment id
 *
 * {cwd}, {log} and {id} are inserted already shell-quoted: write `--chdir {cwd}`, not
 * `--chdir '{cwd}'`. Examples: `nice -n 10 {cmd}`; `sleep 1; {cmd}`. The local backend captures
 * the template's stdout and stderr in {log} and its exit status, so a template must run the
 * evaluation in the foreground; a scheduler that returns at submission (sbatch) needs a backend
 * of its own (launch-backend.ts).
 */

export const LOCAL_TEMPLATE = '{cmd}';

const PLACEHOLDERS = ['cmd', 'cwd', 'log', 'id'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** POSIX single-quoting; words made only of safe characters are left bare for readable logs. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_/.,:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** Throws when the template names a placeholder that does not exist or never runs {cmd}. */
export function validateTemplate(template: string): void {
  for (const [, name] of template.matchAll(/\{([^{}\s]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(
        `launch template ${JSON.stringify(template)}: unknown placeholder {${name}}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
      );
    }
  }
  if (!template.includes('{cmd}'))
    throw new Error(`launch template ${JSON.stringify(template)} never runs {cmd}, the evaluation`);
}

export function renderTemplate(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(/\{(cmd|cwd|log|id)\}/g, (_, name: Placeholder) =>
    name === 'cmd' ? values.cmd : shellQuote(values[name]),
  );
}
