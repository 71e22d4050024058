import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, so a change is tested without a build step.
    alias: Object.fromEntries(['core', 'store', 'runtime', 'serving', 'sdk', 'server', 'cli', 'modelkit', 'monitoring'].map((p) => [`@slipway/${p}`, pkg(p)])),
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts', 'bench/**/*.test.ts', 'packages/dashboard/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
