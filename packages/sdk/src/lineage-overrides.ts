/**
 * Lineage given at push time (CLI flags, git) merged into a manifest's `lineage`:
 * defaults under the file, overrides over it, so `--code-commit` beats `slipway.yaml`
 * and `slipway.yaml` beats a commit guessed from git.
 */
import { InvalidPackageError, type Manifest, MANIFEST_FILE, parseManifest, validateManifest } from '@slipway/core';

/** Any part of a manifest's `lineage`; parameters and metrics merge key by key. */
export interface LineageOverrides {
  codeCommit?: string;
  codeRepository?: string;
  dataset?: { uri?: string; digest?: string };
  parameters?: Record<string, string | number | boolean>;
  metrics?: Record<string, number>;
  /** The version this one retrains, `credit-risk:v3` (`slipway push --retrains`). */
  retrains?: string;
  /** The incident that asked for it (`slipway push --incident`). */
  incident?: string;
}

export function isEmptyLineage(lineage: LineageOverrides | undefined): boolean {
  if (lineage === undefined) return true;
  return (
    lineage.codeCommit === undefined &&
    lineage.codeRepository === undefined &&
    lineage.dataset?.uri === undefined &&
    lineage.dataset?.digest === undefined &&
    Object.keys(lineage.parameters ?? {}).length === 0 &&
    Object.keys(lineage.metrics ?? {}).length === 0 &&
    lineage.retrains === undefined &&
    lineage.incident === undefined
  );
}

/** Merges layers left to right: a later layer's fields win. */
function mergeLineage(...layers: (LineageOverrides | undefined)[]): LineageOverrides {
  const out: LineageOverrides = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer.codeCommit !== undefined) out.codeCommit = layer.codeCommit;
    if (layer.codeRepository !== undefined) out.codeRepository = layer.codeRepository;
    if (layer.dataset?.uri !== undefined) out.dataset = { ...out.dataset, uri: layer.dataset.uri };
    if (layer.dataset?.digest !== undefined) out.dataset = { ...out.dataset, digest: layer.dataset.digest };
    if (layer.parameters !== undefined) out.parameters = { ...out.parameters, ...layer.parameters };
    if (layer.metrics !== undefined) out.metrics = { ...out.metrics, ...layer.metrics };
    if (layer.retrains !== undefined) out.retrains = layer.retrains;
    if (layer.incident !== undefined) out.incident = layer.incident;
  }
  return out;
}

/**
 * Returns the manifest text with lineage merged in, re-serialised as JSON (which is YAML)
 * so no YAML writer is needed here. Problems are reported like the server reports them.
 */
export function applyLineage(manifestText: string, layers: { defaults?: LineageOverrides; overrides?: LineageOverrides }): string {
  const manifest = parseManifest(manifestText);
  const lineage = mergeLineage(layers.defaults, manifest.lineage, layers.overrides);
  if (lineage.dataset !== undefined && lineage.dataset.uri === undefined) {
    throw new InvalidPackageError([
      { path: `${MANIFEST_FILE}: lineage.dataset.uri`, message: 'is required with a dataset digest; give --dataset-uri or set it in the file' },
    ]);
  }
  const merged: Manifest = validateManifest({ ...manifest, lineage });
  return `# ${MANIFEST_FILE} with lineage given at push time merged in\n${JSON.stringify(merged, null, 2)}\n`;
}
