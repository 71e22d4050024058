/**
 * Paths of the Open Inference Protocol (KServe V2) REST API, which the server serves
 * next to the management API. A version, when given, selects `/versions/{v}`.
 */

const model = (name: string, version?: string | number) =>
  `/v2/models/${encodeURIComponent(name)}${version === undefined ? '' : `/versions/${encodeURIComponent(String(version))}`}`;

export const OipPaths = {
  live: '/v2/health/live',
  ready: '/v2/health/ready',
  server: '/v2',
  model,
  modelReady: (name: string, version?: string | number) => `${model(name, version)}/ready`,
  infer: (name: string, version?: string | number) => `${model(name, version)}/infer`,
} as const;
