/**
 * The `model.json` manifest (design.md §4, docs/models.md): what the ONNX file takes and returns,
 * validated with zod, then resolved into a `ModelContract` — the few numbers the hot path needs
 * (which channel holds which level, where the mask goes, what to pad with).
 *
 * The schema describes more than our default model so that exports of other forecasters fit:
 * inputs pre-normalised or raw, with or without a mask, mask polarity either way, outputs laid out
 * [batch, horizon, channel] or [batch, channel, horizon], extra non-quantile channels (TimesFM's
 * mean), any number of levels.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ModelContractError } from './errors.js';

/** A dimension: a fixed size, or a symbolic name such as "batch". */
const DimSchema = z.union([z.number().int().positive(), z.string().min(1)]);

const TensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  shape: z.array(DimSchema).min(1),
  // The client builds and reads float32 tensors only; other dtypes are refused by name.
  dtype: z.literal('float32', { error: "only 'float32' tensors are supported" }),
  description: z.string().optional(),
});

/** Shorthands for `normalisation`; the object form says the same thing field by field. */
export const NORMALISATION_SHORTHANDS = ['instance-in-graph', 'raw', 'none', 'mean-std', 'mean-abs'] as const;
export const INPUT_SCALINGS = ['raw', 'mean-std', 'mean-abs'] as const;

const NormalisationObjectSchema = z
  .looseObject({
    /** What the client feeds: raw values, or values it scaled per row by mean/std or mean |x|. */
    input: z.enum(INPUT_SCALINGS),
    /** What comes out: raw-scale quantiles, or quantiles in the scaled space (client inverts). */
    output: z.enum(['raw', 'normalised']),
    method: z.string().optional(),
  })
  .refine((n) => (n.input === 'raw') === (n.output === 'raw'), {
    error: "input and output must both be 'raw', or input scaled and output 'normalised'",
  });

const NormalisationSchema = z.union([z.enum(NORMALISATION_SHORTHANDS), NormalisationObjectSchema], {
  error: `expected one of ${NORMALISATION_SHORTHANDS.map((s) => `'${s}'`).join(', ')} or { input, output }`,
});

export const OUTPUT_LAYOUTS = ['batch-horizon-quantile', 'batch-quantile-horizon'] as const;
export const PAD_VALUES = ['zero', 'first-observed', 'nan'] as const;
export const MASK_CONVENTIONS = ['observed-is-1', 'padded-is-1'] as const;

const LevelsSchema = z
  .array(z.number().gt(0).lt(1))
  .min(1)
  .refine((levels) => levels.every((v, i) => i === 0 || v > levels[i - 1]), {
    error: 'quantile levels must be strictly increasing',
  });

export const ModelManifestSchema = z
  .looseObject({
    name: z.string().min(1),
    version: z.string().min(1),
    /** ONNX file, relative to the manifest's directory. */
    file: z.string().min(1).optional(),
    /** Lower-case hex sha256 of the ONNX file's bytes. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex characters' }),
    /** Default-domain (ai.onnx) opset the file is stamped with. */
    opset: z.number().int().positive(),
    /** ONNX IR version the file is stamped with (optional; checked against the file when given). */
    irVersion: z.number().int().positive().optional(),
    /** Byte size of the ONNX file (optional; a mismatch reads as "truncated" before the hash does). */
    sizeBytes: z.number().int().positive().optional(),
    format: z.literal('onnx').optional(),
    createdBy: z.string().min(1),
    licence: z.string().min(1),
    /** Training corpus summary: free text or an object with a `summary`; or `training.corpus`. */
    trainingCorpus: z.union([z.string().min(1), z.looseObject({ summary: z.string().min(1) })]).optional(),
    training: z.looseObject({ corpus: z.string().min(1) }).optional(),
    /** Model input steps; the client always feeds exactly this many (left-padded). */
    contextLength: z.number().int().positive(),
    /** Model output steps. */
    horizon: z.number().int().positive(),
    /**
     * What the model expects as input values, as a shorthand or { input, output, method? }:
     *  - `instance-in-graph` = { input: 'raw', output: 'raw' }: the graph normalises itself;
     *  - `raw` / `none` = the same for the client: raw in, raw out;
     *  - `mean-std` / `mean-abs` = { input: that, output: 'normalised' }: the client scales each
     *    row by its observed mean/std (or mean |x|) and inverts that on the outputs.
     */
    normalisation: NormalisationSchema,
    inputs: z.array(TensorSpecSchema).min(1).max(2),
    /** Which input carries the values; defaults to the one that is not the mask. */
    contextInput: z.string().min(1).optional(),
    /** Which input carries the observation mask, or null/absent for a model without one. */
    maskInput: z.string().min(1).nullable().optional(),
    maskConvention: z.enum(MASK_CONVENTIONS).default('observed-is-1'),
    /** Value written into padded / unobserved-leading positions (model space). */
    padValue: z.enum(PAD_VALUES).optional(),
    output: z.strictObject({
      name: z.string().min(1),
      shape: z.array(DimSchema).length(3),
      dtype: z.literal('float32', { error: "only 'float32' tensors are supported" }),
      layout: z.enum(OUTPUT_LAYOUTS).default('batch-horizon-quantile'),
      description: z.string().optional(),
    }),
    quantileLevels: LevelsSchema,
    /** Output channel holding each level (default 0, 1, …); lets a model carry extra channels. */
    quantileChannels: z.array(z.number().int().nonnegative()).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.trainingCorpus === undefined && m.training === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['trainingCorpus'],
        message: 'a training corpus summary is required (trainingCorpus, or training.corpus)',
      });
    }
  });

export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** The manifest resolved to what the hot path needs. */
export interface ModelContract {
  readonly contextInput: string;
  readonly maskInput: string | null;
  /** Mask value for an observed step (1 − this for a padded one). */
  readonly maskObserved: 0 | 1;
  readonly padValue: (typeof PAD_VALUES)[number];
  readonly outputName: string;
  readonly layout: (typeof OUTPUT_LAYOUTS)[number];
  readonly contextLength: number;
  readonly horizon: number;
  /** Size of the output's channel axis (≥ number of levels). */
  readonly outputChannels: number;
  readonly levels: readonly number[];
  /** channels[k] = output channel of levels[k]. */
  readonly channels: Int32Array;
  /** Scaling the client must apply for the model (not the config's normalisation). */
  readonly inputScaling: 'none' | 'mean-std' | 'mean-abs';
  readonly opset: number;
}

/** Validate parsed JSON; `file` names the manifest in errors. */
export function parseManifest(json: unknown, file: string): { manifest: ModelManifest; contract: ModelContract } {
  const result = ModelManifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? formatPath(issue.path) : '(root)';
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more issues)` : '';
    throw new ModelContractError(file, field, issue.message + more);
  }
  const manifest = result.data;
  return { manifest, contract: resolveContract(manifest, file) };
}

/** Read and validate a manifest file. */
export async function readManifest(file: string): Promise<{ manifest: ModelManifest; contract: ModelContract }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelContractError(file, '(file)', `cannot read manifest: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelContractError(file, '(file)', `manifest is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseManifest(json, file);
}

function resolveContract(m: ModelManifest, file: string): ModelContract {
  // Annotated, not inferred: only then does a call narrow like a throw (TS2775's rule).
  const fail: (field: string, message: string) => never = (field, message) => {
    throw new ModelContractError(file, field, message);
  };
  const names = m.inputs.map((i) => i.name);
  if (new Set(names).size !== names.length) fail('inputs', `duplicate input names ${JSON.stringify(names)}`);

  const maskInput = m.maskInput ?? null;
  if (maskInput !== null && !names.includes(maskInput)) {
    fail('maskInput', `'${maskInput}' is not one of the inputs ${JSON.stringify(names)}`);
  }
  const candidates = names.filter((n) => n !== maskInput);
  const contextInput = m.contextInput ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (contextInput === undefined) {
    fail('contextInput', `cannot tell which of ${JSON.stringify(candidates)} carries the values; name it`);
  }
  if (!names.includes(contextInput)) fail('contextInput', `'${contextInput}' is not one of the inputs`);
  if (contextInput === maskInput) fail('contextInput', 'the context and mask inputs must differ');
  if (names.length !== (maskInput === null ? 1 : 2)) {
    fail(
      'inputs',
      `expected the context input${maskInput === null ? '' : ' and the mask input'}, got ${JSON.stringify(names)}`,
    );
  }

  m.inputs.forEach((spec, i) => {
    if (spec.shape.length !== 2)
      fail(`inputs[${i}].shape`, `expected [batch, ${m.contextLength}], got ${JSON.stringify(spec.shape)}`);
    if (typeof spec.shape[1] === 'number' && spec.shape[1] !== m.contextLength) {
      fail(`inputs[${i}].shape[1]`, `is ${spec.shape[1]} but contextLength is ${m.contextLength}`);
    }
    if (typeof spec.shape[0] === 'number') {
      fail(`inputs[${i}].shape[0]`, 'the batch dimension must be symbolic (e.g. "batch") so one call serves many rows');
    }
  });

  const [batchDim, d1, d2] = m.output.shape;
  if (typeof batchDim === 'number') fail('output.shape[0]', 'the batch dimension must be symbolic (e.g. "batch")');
  const horizonAxis = m.output.layout === 'batch-horizon-quantile' ? 1 : 2;
  const channelAxis = 3 - horizonAxis;
  const horizonDim = horizonAxis === 1 ? d1 : d2;
  const channelDim = channelAxis === 1 ? d1 : d2;
  if (horizonDim !== m.horizon) {
    fail(
      `output.shape[${horizonAxis}]`,
      `is ${JSON.stringify(horizonDim)} but horizon is ${m.horizon} (layout ${m.output.layout})`,
    );
  }
  if (typeof channelDim !== 'number')
    fail(`output.shape[${channelAxis}]`, 'the quantile channel dimension must be fixed');
  const outputChannels = channelDim;

  const nLevels = m.quantileLevels.length;
  let channels: Int32Array;
  if (m.quantileChannels === undefined) {
    if (nLevels !== outputChannels) {
      fail(
        'quantileLevels',
        `has ${nLevels} levels but the output has ${outputChannels} channels (set quantileChannels if some channels are not quantiles)`,
      );
    }
    channels = Int32Array.from(m.quantileLevels, (_, k) => k);
  } else {
    if (m.quantileChannels.length !== nLevels) {
      fail('quantileChannels', `has ${m.quantileChannels.length} entries for ${nLevels} levels`);
    }
    const bad = m.quantileChannels.findIndex((c) => c >= outputChannels);
    if (bad >= 0)
      fail(
        `quantileChannels[${bad}]`,
        `channel ${m.quantileChannels[bad]} is outside the output's ${outputChannels} channels`,
      );
    if (new Set(m.quantileChannels).size !== nLevels) fail('quantileChannels', 'a channel is used for two levels');
    channels = Int32Array.from(m.quantileChannels);
  }

  const padValue = m.padValue ?? (maskInput === null ? 'first-observed' : 'zero');
  return {
    contextInput,
    maskInput,
    maskObserved: m.maskConvention === 'observed-is-1' ? 1 : 0,
    padValue,
    outputName: m.output.name,
    layout: m.output.layout,
    contextLength: m.contextLength,
    horizon: m.horizon,
    outputChannels,
    levels: Object.freeze([...m.quantileLevels]),
    channels,
    inputScaling: inputScalingOf(m.normalisation),
    opset: m.opset,
  };
}

function inputScalingOf(n: ModelManifest['normalisation']): ModelContract['inputScaling'] {
  const input = typeof n === 'string' ? n : n.input;
  return input === 'mean-std' || input === 'mean-abs' ? input : 'none';
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}
