/**
 * apps/runner/schemas/*.json are generated from the zod schemas (src/json-schemas.ts) and
 * committed for people and editors; this fails as soon as a schema changes without them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../src/json-schemas.js';
import { QueuedSpecSchema } from '../src/workflow/experiment/queued-spec.js';

const DIR = fileURLToPath(new URL('../schemas/', import.meta.url));
const STALE = 'is stale: run `npm run schemas -w @tsfm/runner` and commit apps/runner/schemas/';

describe('committed JSON Schemas', () => {
  const generated = jsonSchemaFiles();

  it('are exactly the generated set, no file missing or left over', () => {
    expect(readdirSync(DIR).sort()).toEqual([...generated.keys()].sort());
  });

  for (const [file, text] of generated) {
    it(`${file} matches the zod schema it is generated from`, () => {
      expect(readFileSync(DIR + file, 'utf8'), `schemas/${file} ${STALE}`).toBe(text);
    });
  }

  it('describe what the zod schemas accept: the queue-add example in the README', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const example = /```json queue-add\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, 'README.md has a ```json queue-add block').toBeDefined();
    expect(QueuedSpecSchema.safeParse(JSON.parse(example!)).success).toBe(true);
    const schema = JSON.parse(generated.get('queue-add.schema.json')!) as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.required.sort()).toEqual(['id', 'kind', 'payload', 'priority']);
    expect(schema.additionalProperties).toBe(false);
  });
});
