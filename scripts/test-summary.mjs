// Sums the per-package vitest JSON reports into the one closing line CI reads, after naming every
// failed test with the first lines of its error: CI keeps only the tail of the output, so what
// broke must be said at the end, not only in the middle of a package's stream.
//   node scripts/test-summary.mjs [--typecheck-status N] [--nx-status N]
//   (the exit statuses of the one-program typecheck and of the nx test run before it)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const dir = '.test-results';
function statusArg(flag) {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? Number(process.argv[at + 1]) : 0;
}
const typecheckStatus = statusArg('--typecheck-status');
const nxStatus = statusArg('--nx-status');

let passed = 0,
  failed = 0,
  skipped = 0;
const failures = [];
const lines = [];
const files = (() => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
})();
for (const file of files) {
  const name = file.replace(/\.json$/, '');
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const p = report.numPassedTests,
    f = report.numFailedTests,
    s = report.numPendingTests + (report.numTodoTests ?? 0);
  lines.push(`${name.padEnd(16)} ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
  for (const suite of report.testResults ?? []) {
    const where = relative(process.cwd(), suite.name ?? '');
    const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const test of failedTests)
      failures.push({ where, title: test.fullName, message: test.failureMessages?.[0] ?? '' });
    // A file that failed to load (syntax error, a hook that threw) has no failed test, only a message.
    if (suite.status === 'failed' && failedTests.length === 0)
      failures.push({ where, title: '(the file itself)', message: suite.message ?? '' });
  }
}
if (failures.length > 0) {
  console.log(`\nfailed (${failures.length}):`);
  for (const { where, title, message } of failures) {
    console.log(`  ${where} > ${title}`);
    for (const line of message
      .split('\n')
      .filter((l) => l.trim())
      .slice(0, 6))
      console.log(`      ${line.slice(0, 300)}`);
  }
  console.log('');
}
for (const line of lines) console.log(line);
if (typecheckStatus !== 0)
  console.log(`typecheck (tsc -p tsconfig.typecheck.json) exited with status ${typecheckStatus}: see its errors above`);
if (nxStatus !== 0)
  console.log(
    `nx exited with status ${nxStatus}: a lint, format-check or test target failed ` +
      `(nx's "Failed tasks" list above names it; rerun one with \`npx nx run <project>:<target>\`; ` +
      `\`npx prettier --write <files>\` fixes a format-check, \`npx eslint --fix <files>\` some lint findings)`,
  );
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failures.length > 0 || passed === 0 || nxStatus !== 0 || typecheckStatus !== 0 ? 1 : 0);
