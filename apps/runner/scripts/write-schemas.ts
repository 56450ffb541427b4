/** Writes apps/runner/schemas/*.json from the zod schemas (src/json-schemas.ts). */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { jsonSchemaFiles } from '../src/json-schemas.js';

const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
await mkdir(dir, { recursive: true });
for (const [file, text] of jsonSchemaFiles()) {
  await writeFile(dir + file, text);
  console.log(`wrote schemas/${file}`);
}
