/**
 * A setup file every package's vitest config loads (vitest.shared.ts): after each test file, the
 * directories its tests made with tempDir (temp-dirs.ts) are removed, passed or failed.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.js';

afterAll(removeTempDirs);
