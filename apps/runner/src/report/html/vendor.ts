/**
 * The browser builds of vega and vega-lite that report.html inlines, so the page draws its charts
 * with no network. They are the UMD builds of the very packages @tsfm/charts renders the PNGs
 * with, resolved from that package, so the page and the PNGs cannot drift to different versions.
 *
 * The packages' `exports` do not expose build/*.min.js, so the file is found next to the entry
 * point that is exported (build/vega.module.js, build/index.js) and checked by package name.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { assertInlineScriptSafe } from './escape.js';

export interface VendorScripts {
  readonly vega: string;
  readonly vegaLite: string;
  /** For the page's footer: which versions drew the charts. */
  readonly versions: { readonly vega: string; readonly vegaLite: string };
}

let cached: Promise<VendorScripts> | undefined;

export function loadVendorScripts(): Promise<VendorScripts> {
  cached ??= (async () => {
    const fromCharts = createRequire(createRequire(import.meta.url).resolve('@tsfm/charts'));
    const vega = await umdBuild(fromCharts, 'vega', 'build/vega.min.js');
    const vegaLite = await umdBuild(fromCharts, 'vega-lite', 'build/vega-lite.min.js');
    return {
      vega: vega.source,
      vegaLite: vegaLite.source,
      versions: { vega: vega.version, vegaLite: vegaLite.version },
    };
  })();
  // A failed read is not cached: the next report tries again.
  cached.catch(() => (cached = undefined));
  return cached;
}

async function umdBuild(
  require: NodeJS.Require,
  name: string,
  file: string,
): Promise<{ source: string; version: string }> {
  const root = dirname(dirname(require.resolve(name)));
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
  };
  if (manifest.name !== name)
    throw new Error(`expected the ${name} package at ${root}, found ${JSON.stringify(manifest.name)}`);
  const source = await readFile(join(root, file), 'utf8');
  return { source: assertInlineScriptSafe(source, `${name}/${file}`), version: manifest.version ?? 'unknown' };
}
