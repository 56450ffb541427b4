/**
 * Everything about a model that can be checked before onnxruntime sees it: the manifest parses,
 * the ONNX file exists, has the declared size and sha256, and its header carries the declared IR
 * version and an opset this onnxruntime supports. Each failure is a ModelContractError naming the
 * file and the field.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ModelContractError } from './errors.js';
import { readManifest, type ModelContract, type ModelManifest } from './manifest.js';
import { MAX_SUPPORTED_OPSET, readOnnxHeader } from './onnx-header.js';

export interface ModelFiles {
  readonly manifest: ModelManifest;
  readonly contract: ModelContract;
  readonly manifestFile: string;
  readonly onnxFile: string;
  readonly bytes: Uint8Array;
}

/** Read and verify a manifest and its ONNX file (default: the manifest's `file`, relative to it). */
export async function readModelFiles(manifestPath: string, onnxPath?: string): Promise<ModelFiles> {
  const manifestFile = resolve(manifestPath);
  const { manifest, contract } = await readManifest(manifestFile);
  let onnxFile: string;
  if (onnxPath !== undefined) onnxFile = resolve(onnxPath);
  else if (manifest.file !== undefined) onnxFile = resolve(dirname(manifestFile), manifest.file);
  else throw new ModelContractError(manifestFile, 'file', 'no ONNX file named in the manifest and no onnxPath given');

  let bytes: Uint8Array;
  try {
    bytes = await readFile(onnxFile);
  } catch (cause) {
    throw new ModelContractError(
      onnxFile,
      '(file)',
      `cannot read the ONNX file named by ${basename(manifestFile)}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const fail = (field: string, message: string): never => {
    throw new ModelContractError(manifestFile, field, message);
  };

  if (manifest.sizeBytes !== undefined && bytes.byteLength !== manifest.sizeBytes) {
    fail(
      'sizeBytes',
      `manifest says ${manifest.sizeBytes} bytes but ${basename(onnxFile)} has ${bytes.byteLength} (truncated or replaced?)`,
    );
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== manifest.sha256) {
    fail(
      'sha256',
      `manifest says ${manifest.sha256} but ${basename(onnxFile)} hashes to ${digest} (file changed or manifest stale)`,
    );
  }

  let header;
  try {
    header = readOnnxHeader(bytes);
  } catch (cause) {
    throw new ModelContractError(onnxFile, '(file)', `not a readable ONNX model: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (manifest.irVersion !== undefined && header.irVersion !== manifest.irVersion) {
    fail(
      'irVersion',
      `manifest says ${manifest.irVersion} but ${basename(onnxFile)} has IR version ${header.irVersion}`,
    );
  }
  const opset = header.opsets.get('');
  if (opset === undefined)
    throw new ModelContractError(onnxFile, 'opset', 'the model imports no default-domain (ai.onnx) opset');
  if (opset !== manifest.opset) {
    fail('opset', `manifest says ${manifest.opset} but ${basename(onnxFile)} is stamped with opset ${opset}`);
  }
  if (opset > MAX_SUPPORTED_OPSET) {
    throw new ModelContractError(
      onnxFile,
      'opset',
      `opset ${opset} is above ${MAX_SUPPORTED_OPSET}, the highest onnxruntime-node 1.30 supports; re-export at a lower opset`,
    );
  }
  return { manifest, contract, manifestFile, onnxFile, bytes };
}
