// The real NAB realAWSCloudwatch files (see ../shared/data/README.md) load onto a 5-minute grid.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTimestampValueCsv } from '../src/loaders/index.js';
import { missingDataReason, sharedDataPath } from './loaders-shared-data.js';

const nabDir = sharedDataPath('nab');
const files = nabDir
  ? readdirSync(nabDir)
      .filter((f) => f.endsWith('.csv'))
      .sort()
  : [];

describe.skipIf(nabDir === undefined)(
  nabDir === undefined ? missingDataReason('nab') : 'NAB realAWSCloudwatch files',
  () => {
    it('has the 8 files the README lists', () => {
      expect(files).toHaveLength(8);
    });

    it.each(files)('%s loads with a 5-minute step', async (file) => {
      const series = await loadTimestampValueCsv(join(nabDir!, file));
      expect(series.stepMs).toBe(300_000);
      expect(series.report.stepInferred).toBe(true);
      // About 14 days; files with 10-minute holes get NaN points, the DST file has a longer span.
      expect(series.values.length).toBeGreaterThanOrEqual(4032);
      expect(series.values.length).toBeLessThan(4800);
      expect(series.report.missing).toBeLessThan(0.01 * series.values.length);
      const finite = Array.from(series.values).filter(Number.isFinite);
      expect(finite.every((v) => v >= 0)).toBe(true); // utilisation, bytes and counts are never negative
    });

    it('accepts the repeated 03:00:00 rows of the 2014 US DST change in the disk-write trace', async () => {
      const series = await loadTimestampValueCsv(join(nabDir!, 'ec2_disk_write_bytes_1ef3de.csv'));
      expect(series.report.duplicatesDropped).toBe(11);
      expect(series.report.longestGapMs).toBe(61 * 60_000);
    });
  },
);
