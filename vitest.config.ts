import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests open LanceDB tables and ONNX sessions; two forks match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
