/** Where the harness finds the repository, whatever the working directory it was started from. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const EXAMPLES_DIR = fileURLToPath(new URL('../examples', import.meta.url));
