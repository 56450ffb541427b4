/**
 * otherModelVersions: the extra models of the harness's model dimension are the versions in the
 * folder whose ONNX file differs from the primary's, named by folder, in name order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { otherModelVersions } from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const shipped = resolve(import.meta.dirname, '../../pretrain/model/model.json');

function version(dir: string, name: string, sha: string): string {
  const manifest = JSON.parse(readFileSync(shipped, 'utf8')) as { sha256: string };
  manifest.sha256 = sha;
  mkdirSync(join(dir, name));
  const path = join(dir, name, 'model.json');
  writeFileSync(path, JSON.stringify(manifest));
  return path;
}

describe('otherModelVersions', () => {
  it('lists the versions whose weights differ from the primary, by folder name', async () => {
    const dir = tempDir('tsfm-versions-');
    const primarySha = (JSON.parse(readFileSync(shipped, 'utf8')) as { sha256: string }).sha256;
    const b = version(dir, 'model-b-0.2.0', 'b'.repeat(64));
    version(dir, 'same-as-primary', primarySha);
    const a = version(dir, 'model-a-0.1.0', 'a'.repeat(64));
    mkdirSync(join(dir, 'not-a-model'));
    expect(await otherModelVersions(shipped, dir)).toEqual([
      { name: 'model-a-0.1.0', path: a },
      { name: 'model-b-0.2.0', path: b },
    ]);
    expect(await otherModelVersions(shipped, join(dir, 'missing'))).toEqual([]);
  });
});
