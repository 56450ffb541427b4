import { describe, expect, it } from 'vitest';
import { readOnnxHeader } from '../src/index.js';
import { lastPlusChannel } from './helpers/test-models.js';

describe('ONNX header reader', () => {
  it('reads the IR version and opset of a writer-built model', () => {
    const header = readOnnxHeader(lastPlusChannel({ opset: 19 }).bytes);
    expect(header.irVersion).toBe(8);
    expect(header.opsets.get('')).toBe(19);
  });

  it('refuses truncated bytes and non-ONNX bytes with a reason', () => {
    const bytes = lastPlusChannel().bytes;
    expect(() => readOnnxHeader(bytes.subarray(0, bytes.length - 10))).toThrow(/overruns|truncated/);
    expect(() => readOnnxHeader(new TextEncoder().encode('{"not": "onnx"}'))).toThrow();
    expect(() => readOnnxHeader(new Uint8Array(0))).toThrow(/no ir_version/);
  });
});
