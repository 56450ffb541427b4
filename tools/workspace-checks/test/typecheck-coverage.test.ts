/**
 * `npm test` type-checks the workspace as one program (tsconfig.typecheck.json) instead of one
 * program per project. That is only as good as its include list: every file a project's own
 * tsconfig.json checks must be in the one program, with the same compiler options.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

function parse(configPath: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  return parsed;
}

const PROJECT_CONFIGS = [
  ...['apps', 'packages'].flatMap((top) =>
    readdirSync(join(REPO, top))
      .map((name) => join(REPO, top, name, 'tsconfig.json'))
      .filter(existsSync),
  ),
  join(REPO, 'tools/workspace-checks/tsconfig.json'),
];

describe('the one-program typecheck', () => {
  const root = parse(join(REPO, 'tsconfig.typecheck.json'));
  const rootFiles = new Set(root.fileNames);

  it.each(PROJECT_CONFIGS.map((path) => [path.slice(REPO.length)]))('covers every file of %s', (relative) => {
    const project = parse(join(REPO, relative));
    const missing = project.fileNames.filter((file) => !rootFiles.has(file));
    expect(missing, `add them to tsconfig.typecheck.json's include`).toEqual([]);
    // Same options: a project may not loosen or tighten what the one program checks.
    const options = (o: ts.CompilerOptions): ts.CompilerOptions => {
      const { configFilePath: _path, ...rest } = o as ts.CompilerOptions & { configFilePath?: string };
      return rest;
    };
    expect(options(project.options), dirname(relative)).toEqual(options(root.options));
  });
});
