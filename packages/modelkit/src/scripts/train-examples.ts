/**
 * `npm run train-examples [-- <root>]`: retrains the example pipelines and writes them
 * under `<root>` (default: the repository's `examples/`). Commit the result; a test
 * checks the committed files match a fresh run byte for byte.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeExamples } from '../examples.js';

// Resolved from this file rather than the working directory, so the default is right
// whether run from sources (src/scripts) or a build (dist/scripts).
const DEFAULT_ROOT = fileURLToPath(new URL('../../../../examples/', import.meta.url));

const root = resolve(process.argv[2] ?? DEFAULT_ROOT);
const written = await writeExamples(root);
for (const path of written) console.log(`wrote ${relative(process.cwd(), path) || path}`);
