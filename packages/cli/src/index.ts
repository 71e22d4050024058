export { main } from './main.js';
export type { CliIo } from './context.js';
export { ExitCode, exitCodeOf } from './exit-codes.js';
