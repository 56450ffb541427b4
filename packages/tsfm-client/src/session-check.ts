/**
 * Does the loaded session match the manifest? Names are compared against `inputNames` /
 * `outputNames`, dtypes and fixed dimensions against ORT 1.30's `inputMetadata` /
 * `outputMetadata`, and then a probe run at batch 2 checks what metadata cannot: that the output
 * really has the declared shape (a graph may leave output dims symbolic) and that the batch
 * dimension is really free (a Reshape hard-coded to batch 1 only shows up when run).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelContractError } from './errors.js';
import type { ModelContract, ModelManifest } from './manifest.js';

/** The part of an ORT InferenceSession the client uses; tests wrap a real session in one. */
export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata?: readonly InferenceSession.ValueMetadata[];
  run(feeds: Record<string, Tensor>, fetches: readonly string[]): Promise<Record<string, Tensor>>;
  release?(): Promise<void>;
}

export type TensorFactory = (data: Float32Array, dims: readonly number[]) => Tensor;

export function checkSessionMetadata(
  session: SessionLike,
  manifest: ModelManifest,
  contract: ModelContract,
  file: string,
): void {
  const expectedInputs =
    contract.maskInput === null ? [contract.contextInput] : [contract.contextInput, contract.maskInput];
  for (const name of expectedInputs) {
    if (!session.inputNames.includes(name)) {
      throw new ModelContractError(
        file,
        'inputs',
        `the model has no input '${name}'; its inputs are ${JSON.stringify(session.inputNames)}`,
      );
    }
  }
  for (const name of session.inputNames) {
    if (!expectedInputs.includes(name)) {
      throw new ModelContractError(
        file,
        'inputs',
        `the model has an input '${name}' the manifest does not declare (declared: ${JSON.stringify(expectedInputs)})`,
      );
    }
  }
  if (!session.outputNames.includes(contract.outputName)) {
    throw new ModelContractError(
      file,
      'output.name',
      `the model has no output '${contract.outputName}'; its outputs are ${JSON.stringify(session.outputNames)}`,
    );
  }

  manifest.inputs.forEach((spec, i) => {
    const meta = session.inputMetadata?.find((m) => m.name === spec.name);
    if (meta) checkValueMetadata(meta, spec.shape, `inputs[${i}]`, file);
  });
  const outMeta = session.outputMetadata?.find((m) => m.name === contract.outputName);
  if (outMeta) checkValueMetadata(outMeta, manifest.output.shape, 'output', file);
}

function checkValueMetadata(
  meta: InferenceSession.ValueMetadata,
  declared: readonly (number | string)[],
  field: string,
  file: string,
): void {
  if (!meta.isTensor) throw new ModelContractError(file, field, `'${meta.name}' is not a tensor in the model`);
  if (meta.type !== 'float32') {
    throw new ModelContractError(
      file,
      `${field}.dtype`,
      `manifest says float32 but the model's '${meta.name}' is ${meta.type}`,
    );
  }
  // An empty shape means ORT does not know the rank; the probe run settles it.
  if (meta.shape.length === 0) return;
  if (meta.shape.length !== declared.length) {
    throw new ModelContractError(
      file,
      `${field}.shape`,
      `manifest says ${JSON.stringify(declared)} but the model's '${meta.name}' is ${JSON.stringify(meta.shape)}`,
    );
  }
  meta.shape.forEach((actual, d) => {
    const want = declared[d];
    // A fixed model dim must equal the manifest's; a symbolic model dim where the manifest has a
    // number is allowed (the model is more general than declared), but not the other way round.
    if (typeof actual === 'number' && actual !== want) {
      throw new ModelContractError(
        file,
        `${field}.shape[${d}]`,
        `manifest says ${JSON.stringify(want)} but the model's '${meta.name}' has ${actual}`,
      );
    }
  });
}

/** One run at batch 2 with a finite ramp; checks the output's dims against the contract. */
export async function probeSession(
  session: SessionLike,
  contract: ModelContract,
  makeTensor: TensorFactory,
  file: string,
): Promise<void> {
  const C = contract.contextLength;
  const batch = 2;
  const context = new Float32Array(batch * C);
  for (let i = 0; i < context.length; i++) context[i] = 1 + (i % C) / C;
  const feeds: Record<string, Tensor> = { [contract.contextInput]: makeTensor(context, [batch, C]) };
  if (contract.maskInput !== null) {
    feeds[contract.maskInput] = makeTensor(new Float32Array(batch * C).fill(contract.maskObserved), [batch, C]);
  }
  let out: Tensor | undefined;
  try {
    out = (await session.run(feeds, [contract.outputName]))[contract.outputName];
  } catch (cause) {
    throw new ModelContractError(file, 'inputs', `probe run at batch ${batch} failed: ${(cause as Error).message}`, {
      cause,
    });
  }
  checkOutputTensor(out, batch, contract, file);
}

/** Shape and dtype of a run's output, against the contract (also used on every batch). */
export function checkOutputTensor(
  out: Tensor | undefined,
  batch: number,
  contract: ModelContract,
  file: string,
): Float32Array {
  if (out === undefined)
    throw new ModelContractError(file, 'output.name', `the run returned no '${contract.outputName}'`);
  if (out.type !== 'float32')
    throw new ModelContractError(file, 'output.dtype', `the model returned ${out.type}, not float32`);
  const want =
    contract.layout === 'batch-horizon-quantile'
      ? [batch, contract.horizon, contract.outputChannels]
      : [batch, contract.outputChannels, contract.horizon];
  if (out.dims.length !== 3 || out.dims.some((d, i) => d !== want[i])) {
    throw new ModelContractError(
      file,
      'output.shape',
      `for a batch of ${batch} the model returned [${out.dims.join(', ')}]; the manifest implies [${want.join(', ')}] (layout ${contract.layout})`,
    );
  }
  return out.data as Float32Array;
}
