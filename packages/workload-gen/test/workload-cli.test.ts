// workload-gen command-line validation: messages name the flag and what it accepts.
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli/args.js';

describe('workload-gen arguments', () => {
  it('applies the documented defaults', () => {
    expect(parseCli(['--out', 'x'])).toEqual({
      tenants: 1000,
      days: 30,
      seed: 42,
      out: 'x',
      format: 'arrow',
      start: Date.UTC(2024, 0, 1),
      'step-minutes': 1,
      workers: 0,
    });
  });

  it('parses every option', () => {
    const o = parseCli([
      '--tenants',
      '10',
      '--days',
      '3',
      '--seed',
      '7',
      '--out',
      'd',
      '--format',
      'csv',
      '--start',
      '2024-03-06',
      '--step-minutes',
      '5',
      '--utc-offsets',
      '0,-300,60',
      '--workers',
      '2',
    ]);
    expect(o).toMatchObject({
      tenants: 10,
      days: 3,
      seed: 7,
      format: 'csv',
      start: Date.UTC(2024, 2, 6),
      'step-minutes': 5,
      'utc-offsets': [0, -300, 60],
      workers: 2,
    });
  });

  it('reports every bad flag at once, naming it', () => {
    const run = () =>
      parseCli(['--tenants', 'many', '--format', 'parquet', '--start', '2024-13-01', '--seed', String(2 ** 31)]);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(
      /--tenants must be an integer[\s\S]*--seed must be between 0 and 2147483647[\s\S]*--out <dir> is required[\s\S]*--format must be arrow or csv[\s\S]*--start: /,
    );
  });

  it('rejects unknown flags and days that are not whole steps', () => {
    expect(() => parseCli(['--out', 'x', '--tenant', '3'])).toThrow(/Unknown option '--tenant'/);
    expect(() => parseCli(['--out', 'x', '--days', '1', '--step-minutes', '7'])).toThrow(
      /whole number of --step-minutes/,
    );
  });

  it('--help asks for the usage text', () => {
    expect(parseCli(['--help'])).toBe('help');
  });
});
