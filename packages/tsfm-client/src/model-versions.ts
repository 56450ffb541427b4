/**
 * The harness's model dimension draws its extra ONNX models from a folder of model versions
 * (packages/pretrain/models/: one `<name>-<version>/model.json` each, kept loadable when a newer
 * default ships). This lists them for a given primary model: every valid manifest in the folder
 * whose ONNX file differs (sha256) from the primary's — the same weights twice would only double
 * the cost of a request — named by its folder, in name order.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readManifest } from './manifest.js';

export interface ModelVersion {
  /** The folder name, e.g. `tsfm-mlp-quantile-0.1.0` (what prefixes the model's config keys). */
  readonly name: string;
  /** Its model.json. */
  readonly path: string;
}

export async function otherModelVersions(primaryManifest: string, versionsDir: string): Promise<ModelVersion[]> {
  if (!existsSync(versionsDir)) return [];
  const primary = (await readManifest(resolve(primaryManifest))).manifest.sha256;
  const out: ModelVersion[] = [];
  for (const name of readdirSync(versionsDir).sort()) {
    const path = join(versionsDir, name, 'model.json');
    if (!existsSync(path)) continue;
    const { manifest } = await readManifest(path);
    if (manifest.sha256 !== primary) out.push({ name, path });
  }
  return out;
}
