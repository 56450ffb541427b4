/**
 * An experiment template (apps/runner/templates/<name>/): the files copied into a workdir's
 * source repo, described by its `template.json` — the one editable file, the frozen files whose
 * hashes are checked before every launch, the commands that prepare data and evaluate, the
 * planner's parameter space and the seed experiments.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { assertValidParamSpace, type ParamSpace } from '../../planners/index.js';
import { parseJsonText } from '../../workdir/file-errors.js';
import { EVALUATOR_MODES } from '../experiment/payload.js';
import { DEFAULT_KEEP_RULE, KeepRuleSchema } from '../research/keep-rule.js';
import { SEED_KINDS } from '../state/tree-schema.js';
import { readFileAtCommit } from './source-repo.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));
export const TEMPLATE_MANIFEST = 'template.json';
export const PARAMS_FILE = 'params.json';

const ParamValueSchema = z.union([z.number(), z.string(), z.boolean()]);

const KnobSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('choice'),
    values: z.array(ParamValueSchema).min(1),
    default: ParamValueSchema.optional(),
    description: z.string().optional(),
  }),
  z.strictObject({
    kind: z.literal('range'),
    min: z.number(),
    max: z.number(),
    step: z.number().positive(),
    default: z.number().optional(),
    description: z.string().optional(),
  }),
]);

const SeedSchema = z.strictObject({
  kind: z.enum(SEED_KINDS),
  mode: z.enum(EVALUATOR_MODES),
  name: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  hypothesis: z.string().min(1),
  params: z.record(z.string(), ParamValueSchema).optional(),
});

export const TemplateManifestSchema = z.strictObject({
  '//': z.string().optional(),
  name: z.string().min(1),
  description: z.string(),
  editable: z.string().min(1),
  frozen: z.array(z.string().min(1)).min(1),
  /** Arguments after `node --import tsx`, run once in source/ at anchor time; `{data}` is the data dir. */
  prepare: z.array(z.string()).nullable().default(null),
  /** Arguments after `node --import tsx`, run in the experiment's worktree; `{data}`, `{metrics}`. */
  evaluate: z.array(z.string()).min(1),
  /**
   * The evaluator takes `--shard i/N` and writes the shard sums to `--out` (shard.ts), so a
   * workdir may split each evaluation over several jobs (workflow.json `shards`).
   */
  shardable: z.boolean().default(false),
  /**
   * The evaluator takes `--split confirmation` and then scores tenants no experiment is scored on
   * during the search (research/confirmation.ts). Without it a run has no confirmation column.
   */
  confirmation: z.boolean().default(false),
  /** How a candidate is kept (research/keep-rule.ts); default: paired bootstrap at 95%. */
  keep: KeepRuleSchema.default(DEFAULT_KEEP_RULE),
  paramSpace: z.record(z.string(), KnobSchema),
  seeds: z.array(SeedSchema).min(1),
});

export type TemplateManifest = z.infer<typeof TemplateManifestSchema> & { readonly paramSpace: ParamSpace };

/** A template name (a folder of templates/) or a path to a template folder. */
export function resolveTemplateDir(template: string, cwd: string): string {
  const named = join(TEMPLATES_DIR, template);
  if (/^[a-z0-9-]+$/.test(template) && existsSync(join(named, TEMPLATE_MANIFEST))) return named;
  const path = isAbsolute(template) ? template : resolve(cwd, template);
  if (existsSync(join(path, TEMPLATE_MANIFEST))) return path;
  throw new Error(`template ${JSON.stringify(template)}: neither ${named} nor ${path} holds a ${TEMPLATE_MANIFEST}`);
}

export async function readTemplateManifest(dir: string): Promise<TemplateManifest> {
  const file = join(dir, TEMPLATE_MANIFEST);
  const manifest = parseJsonText(await readFile(file, 'utf8'), TemplateManifestSchema, file) as TemplateManifest;
  assertValidParamSpace(manifest.paramSpace);
  if (manifest.frozen.includes(manifest.editable))
    throw new Error(`${file}: ${manifest.editable} is both editable and frozen`);
  if (!manifest.frozen.includes(TEMPLATE_MANIFEST))
    throw new Error(`${file}: ${TEMPLATE_MANIFEST} itself must be frozen`);
  return manifest;
}

/**
 * template.json as committed at the anchor (its editable file checked against the anchor's record),
 * not as it sits on disk.
 */
export async function anchoredManifest(
  source: string,
  anchor: { readonly anchorCommit: string; readonly editable: string },
): Promise<TemplateManifest> {
  const text = await readFileAtCommit(source, anchor.anchorCommit, TEMPLATE_MANIFEST);
  const manifest = parseJsonText(
    text,
    TemplateManifestSchema,
    `source/${TEMPLATE_MANIFEST}@${anchor.anchorCommit.slice(0, 12)}`,
  ) as TemplateManifest;
  if (manifest.editable !== anchor.editable)
    throw new Error(
      `source/${TEMPLATE_MANIFEST}: editable file ${manifest.editable} differs from the anchor's ${anchor.editable}`,
    );
  return manifest;
}
