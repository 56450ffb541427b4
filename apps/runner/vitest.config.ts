import { packageTestConfig } from '../../vitest.shared.js';

// Isolated: the CLI tests set the adapter module and poll interval in process.env for main().
export default packageTestConfig(import.meta.dirname, { isolate: true });
