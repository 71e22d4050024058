/**
 * What `slipway init` writes: a commented `slipway.yaml` that is valid as it stands, with
 * the optional sections ready to uncomment, and a README explaining every field.
 */
import { MANIFEST_FILE, PIPELINE_NAME } from '@slipway/core';

/** A valid pipeline name from a folder name: `My Model (v2)` → `my-model-v2`. */
export function pipelineNameFor(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63);
  return PIPELINE_NAME.test(name) ? name : 'my-pipeline';
}

function manifest(name: string): string {
  return `# ${MANIFEST_FILE}: what Slipway needs to serve this package. README.md explains every field.

# The pipeline's name: 1–63 characters of a-z, 0-9, ".", "_", "-".
name: ${name}
description: What this model predicts, and for whom.

# The model format; ONNX is the one this version serves.
runtime: onnx
# The model file, relative to this folder.
model: model.onnx

# Tabular features let callers send records ({"age": 41, "region": "north"}) instead of
# tensors. List them in the order of the model input's columns; a categorical feature
# takes one column per category (one-hot, in the order listed).
# tabular:
#   input: features
#   features:
#     - { name: age, type: numeric }
#     - { name: owns_home, type: boolean }
#     - { name: region, type: categorical, categories: [north, south, east, west] }

# How to read the outputs as predictions: the output holding class probabilities and the
# class names by index, so runs answer "default" rather than 1.
# outputs:
#   probabilities: probabilities
#   classLabels: [repaid, default]

# Where the model came from. Flags of \`slipway push\` (--code-commit, --dataset-uri,
# --param, --metric, …) add to these and win over them.
# lineage:
#   codeCommit: 3f2c1e9d
#   codeRepository: https://github.com/acme/credit-models
#   dataset:
#     uri: s3://acme-data/credit/2024-06/train.csv
#     digest: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#   parameters: { learning_rate: 0.05, epochs: 200 }
#   metrics: { auc: 0.81 }

# Free-form labels.
# tags:
#   team: risk
`;
}

function readme(name: string): string {
  return `# ${name}

A Slipway package: this folder becomes a new version of the pipeline \`${name}\` each time
its content changes and you run

    slipway push .

## Files

| File | What it is |
| --- | --- |
| \`${MANIFEST_FILE}\` | The manifest, described below. |
| \`model.onnx\` | The model, exported to ONNX (PyTorch \`torch.onnx.export\`, skl2onnx, tf2onnx, …). Copy it here. |

Everything else in the folder is pushed too, except dot-files such as \`.git\`.

## \`${MANIFEST_FILE}\` fields

| Field | Required | Meaning |
| --- | --- | --- |
| \`name\` | yes | The pipeline's name: 1–63 characters of a-z, 0-9, \`.\`, \`_\`, \`-\`. Versions are \`${name}:v1\`, \`${name}:v2\`, … |
| \`description\` | no | One or two sentences for people browsing the registry. |
| \`runtime\` | no | \`onnx\` (the default and, for now, the only one). |
| \`model\` | no | Path of the model file inside the package. Default \`model.onnx\`. |
| \`tabular.input\` | no | The model input that takes the feature columns. Default: the model's only input. |
| \`tabular.features\` | no | The record fields, in column order. Each has \`name\`, \`type\` (\`numeric\`, \`boolean\` or \`categorical\`), \`categories\` (categorical only: its values, one-hot encoded in this order) and an optional \`description\`. |
| \`outputs.probabilities\` | no | The output holding class probabilities, shape \`[batch, classes]\`. |
| \`outputs.label\` | no | The output holding the predicted class, if the model has one. |
| \`outputs.classLabels\` | no | Class names by index (at least two); runs then answer with a label and named probabilities. |
| \`lineage.codeCommit\` | no | The commit of the training code. \`slipway push\` fills it from git when the folder is in a repository. |
| \`lineage.codeRepository\` | no | Where that code lives. |
| \`lineage.dataset.uri\` | no | The training data, e.g. \`s3://bucket/train.csv\`. |
| \`lineage.dataset.digest\` | no | Its digest, e.g. \`sha256:…\`, so the exact data can be found again. |
| \`lineage.parameters\` | no | Training parameters: names to strings, numbers or booleans. |
| \`lineage.metrics\` | no | Evaluation metrics: names to numbers. |
| \`tags\` | no | Free-form labels: names to strings. |

Flags of \`slipway push\` add lineage without editing the file, and win over it:
\`--code-commit\`, \`--code-repository\`, \`--dataset-uri\`, \`--dataset-digest\`,
\`--param key=value\` and \`--metric key=value\` (both repeatable).

## Use it

    slipway push .                                  # → ${name}:v1
    slipway alias set ${name}@production v1
    slipway run ${name}@production --input '{"age": 41, "region": "north"}'
    slipway show ${name}@production
`;
}

/** The files `slipway init` writes, by name. */
export function packageTemplate(name: string): Record<string, string> {
  return { [MANIFEST_FILE]: manifest(name), 'README.md': readme(name) };
}
