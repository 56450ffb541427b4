import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

// Worker threads load a model each and the controller test starts Prometheus: on a loaded
// 2-core machine that can take minutes. Tests wait for events; these limits are the last guard.
export default mergeConfig(packageTestConfig(import.meta.dirname, { testTimeout: 300_000 }), {
  test: { hookTimeout: 300_000 },
});
