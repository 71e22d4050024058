/** README text shared by the example pipelines. */

/** The "Retraining" section; `edit` finishes the sentence "To change the model, edit …". */
export function retrainingSection(edit: string): string {
  return `## Retraining

From the repository root:

    npm run train-examples              # rewrites examples/credit-risk and examples/sensor-mlp
    npm run train-examples -- /tmp/out  # writes them under /tmp/out instead

Training is deterministic: the same code and seed produce byte-identical files, and a test
in \`packages/modelkit\` fails when the committed files differ from a fresh run. To change
the model, edit ${edit}`;
}
