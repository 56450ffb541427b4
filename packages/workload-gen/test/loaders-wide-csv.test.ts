import { describe, expect, it } from 'vitest';
import { parseWideCsv } from '../src/loaders/index.js';
import { FIVE_MIN, T0, nabTime } from './loaders-fixtures.js';

const metric = (t: { metrics: Readonly<Record<string, Float32Array>> }, name: string) => Array.from(t.metrics[name]);

describe('wide multi-column CSV', () => {
  it('loads every metric column onto one implicit grid given by the caller', () => {
    const tenant = parseWideCsv('cpu,mem,net,disk\n1,10,100,1000\n2,20,200,2000\n3,30,300,3000\n', {
      source: 'traces/machine_42.csv',
      stepMs: 60_000,
      start: T0,
    });
    expect(tenant).toMatchObject({ id: 'machine_42', start: T0, stepMs: 60_000 });
    expect(Object.keys(tenant.metrics)).toEqual(['cpu', 'mem', 'net', 'disk']);
    expect(metric(tenant, 'disk')).toEqual([1000, 2000, 3000]);
  });

  it('accepts an implicit step longer than the huge-gap limit (there are no gaps on an implicit grid)', () => {
    const tenant = parseWideCsv('cpu\n1\n2\n', { stepMs: 30 * 86_400_000 });
    expect(metric(tenant, 'cpu')).toEqual([1, 2]);
  });

  it('uses a timestamp column when there is one, regularising all metrics together', () => {
    const text = [
      'timestamp,cpu,mem',
      `${nabTime(T0)},1,10`,
      `${nabTime(T0 + FIVE_MIN)},2,20`,
      `${nabTime(T0 + 3 * FIVE_MIN)},4,40`,
      `${nabTime(T0 + 4 * FIVE_MIN)},5,`,
    ].join('\r\n');
    const tenant = parseWideCsv('\uFEFF' + text, { id: 'm1', fill: 'linear' });
    expect([tenant.id, tenant.start, tenant.stepMs]).toEqual(['m1', T0, FIVE_MIN]);
    expect(metric(tenant, 'cpu')).toEqual([1, 2, 3, 4, 5]);
    expect(metric(tenant, 'mem')).toEqual([10, 20, 30, 40, Number.NaN]); // linear never extrapolates
  });

  it('selects and renames columns into the data model metric names', () => {
    const text = 'time_stamp,cpu_util_percent,mem_util_percent,net_in\n0,5,50,1\n10,6,60,2\n';
    const tenant = parseWideCsv(text, {
      metrics: { cpu: 'cpu_util_percent', mem: 'mem_util_percent' },
      timestampFormat: 'epoch-s',
    });
    expect(Object.keys(tenant.metrics)).toEqual(['cpu', 'mem']);
    expect([tenant.stepMs, metric(tenant, 'mem')]).toEqual([10_000, [50, 60]]);
  });

  it('treats a "time" column as data when told the file has no timestamp column', () => {
    const tenant = parseWideCsv('time,cpu\n5,1\n6,2\n', { timestampColumn: null, stepMs: 1000 });
    expect(metric(tenant, 'time')).toEqual([5, 6]);
  });
});
