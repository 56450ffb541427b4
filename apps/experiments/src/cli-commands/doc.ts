/** `experiments.ts doc`: docs/results.md from the experiments' outputs in --out. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { log, REPO, str, type Context } from '../cli-context.js';
import { writeResultsDoc } from '../results-doc.js';

export function doc(ctx: Context): void {
  const docPath = resolve(str(ctx.values.doc) ?? join(REPO, 'docs', 'results.md'));
  const provisioningDir = resolve(str(ctx.values['provisioning-dir']) ?? join(REPO, 'out', 'simulate'));
  // The replay's prose defaults to the notes beside its report, so a plain `doc` keeps it too.
  const besideReport = join(provisioningDir, 'notes.md');
  const provisioningNotes =
    str(ctx.values['provisioning-notes-file']) ?? (existsSync(besideReport) ? besideReport : undefined);
  const notesFile = str(ctx.values['notes-file']);
  writeResultsDoc({
    outDir: ctx.out,
    docPath,
    repoRoot: REPO,
    scope: str(ctx.values.scope) ?? 'see each section for the tenants, origins and subsets it used.',
    ...(notesFile ? { notes: readFileSync(resolve(notesFile), 'utf8') } : {}),
    provisioningDir,
    ...(provisioningNotes === undefined ? {} : { provisioningNotes: readFileSync(provisioningNotes, 'utf8') }),
  });
  log(`doc: wrote ${docPath}`);
}
