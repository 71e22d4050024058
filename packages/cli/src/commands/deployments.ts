/**
 * `slipway deploy | undeploy | deployments ls | environments | rollout`: deployments of a
 * pipeline in an environment and their rollouts. `deploy --wait` exits non-zero when the
 * deployment is refused (validation, policy) or does not become healthy, so CI can gate on it.
 */
import {
  type DeploymentRequest,
  type DeploymentView,
  ErrorCode,
  type RolloutRequest,
  type RolloutStatusResponse,
  SlipwayError,
  parsePipelineRef,
} from '@slipway/core';
import type { SlipwayClient } from '@slipway/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { formatWhen } from '../format.js';
import { formatTable } from '../output.js';
import { parseDuration } from './serving.js';

function integer(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

function positive(text: string): number {
  const n = Number(text);
  if (!(n > 0)) throw new InvalidArgumentError('must be a number > 0');
  return n;
}

/** `5,25,50,100` → [5, 25, 50, 100]. */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => Number(s.trim()));
  if (steps.length === 0 || steps.some((s) => !Number.isFinite(s) || s < 0 || s > 100)) throw new InvalidArgumentError('must be percentages from 0 to 100, e.g. 5,25,50,100');
  return steps;
}

/**
 * Reads `name@alias` (follows the alias), `name:vN` (a fixed version) or `name` into the
 * pipeline, the target and the environment (`--env`, else the alias, else production).
 */
export function parseDeployRef(text: string, env: string | undefined): { pipeline: string; target: string | undefined; environment: string } {
  const ref = parsePipelineRef(text, 'ref');
  const target = ref.selector.kind === 'alias' ? `@${ref.selector.alias}` : ref.selector.kind === 'version' ? `v${ref.selector.version}` : undefined;
  const environment = env ?? (ref.selector.kind === 'alias' ? ref.selector.alias : 'production');
  return { pipeline: ref.name, target, environment };
}

export function formatDeployment(d: DeploymentView): string {
  const version = d.version === null ? 'unresolved' : `v${d.version}`;
  const rollout = d.rollout?.status === 'running' ? `; ${d.rollout.strategy} of v${d.rollout.candidate} at ${d.rollout.percent}%` : '';
  const message = d.message === null ? '' : ` (${d.message})`;
  return `${d.pipeline} in ${d.environment}: ${d.target} → ${version}, ${d.state}${message}, replicas ${d.replicas.ready}/${d.replicas.desired} (min ${d.scaling.min}, max ${d.scaling.max})${rollout}`;
}

export function formatDeployments(deployments: readonly DeploymentView[]): string[] {
  if (deployments.length === 0) return ['no deployments; create one with `slipway deploy <name>@production --env production`'];
  return formatTable(
    ['PIPELINE', 'ENV', 'TARGET', 'VERSION', 'STATE', 'REPLICAS', 'ROLLOUT'],
    deployments.map((d) => [
      d.pipeline,
      d.environment,
      d.target,
      d.version === null ? '–' : `v${d.version}`,
      d.message ?? d.state,
      `${d.replicas.ready}/${d.replicas.desired}`,
      d.rollout?.status === 'running' ? `${d.rollout.strategy} v${d.rollout.candidate} ${d.rollout.percent}%` : (d.rollout?.status ?? '–'),
    ]),
  );
}

export function formatRolloutStatus(s: RolloutStatusResponse): string[] {
  const r = s.deployment.rollout;
  if (r === null) return [`no rollout for ${s.deployment.pipeline} in ${s.deployment.environment}; start one with \`slipway rollout start\``];
  const head = `${r.strategy} of v${r.candidate} over v${r.stable}: ${r.status}, ${r.percent}% to the candidate${r.reason === null ? '' : ` — ${r.reason}`}`;
  const events = formatTable(
    ['WHEN', 'EVENT', 'SHARE', 'WHO', 'REASON'],
    s.events.map((e) => [formatWhen(e.at), e.kind, `${e.percent}%`, e.actor, e.reason ?? '']),
  );
  return [head, '', ...events];
}

/** Polls until the deployment serves (ready, or idle with min 0) or fails; throws naming why. */
export async function waitHealthy(client: SlipwayClient, pipeline: string, environment: string, timeoutMs: number, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await client.deployments.get(pipeline, environment);
    if (d.state === 'unschedulable') throw new SlipwayError(ErrorCode.unavailable, `${pipeline} in ${environment} is ${d.message ?? 'unschedulable'}`);
    if (d.state === 'ready' || (d.state === 'idle' && d.scaling.min === 0)) {
      if (d.version !== null && (await client.modelReady(pipeline, d.version))) return d;
    }
    if (Date.now() > deadline) {
      throw new SlipwayError(ErrorCode.unavailable, `${pipeline} in ${environment} did not become healthy within ${Math.round(timeoutMs / 1000)} s (state ${d.state}, replicas ${d.replicas.ready}/${d.replicas.desired}); see \`slipway deployments ls\``);
    }
    await sleep(250);
  }
}

interface DeployFlags {
  env?: string;
  min?: number;
  max?: number;
  targetConcurrency?: number;
  gpu?: boolean;
  gpuMemory?: string;
  memory?: string;
  wait?: boolean;
  timeout?: number;
}

export function registerDeploymentCommands(program: Command, context: CommandContext): void {
  program
    .command('deploy')
    .description('deploy a pipeline in an environment: name@alias follows the alias, name:vN is fixed')
    .argument('<ref>', 'e.g. credit-risk@production or credit-risk:v3')
    .option('--env <environment>', 'the environment (default: the alias, else production)')
    .option('--min <n>', 'fewest replicas; 0 scales to zero when idle', integer)
    .option('--max <n>', 'most replicas', integer)
    .option('--target-concurrency <n>', 'in-flight runs per replica the autoscaler aims for', positive)
    .option('--gpu', 'place replicas only on workers with a GPU')
    .option('--gpu-memory <size>', 'GPU memory one replica needs, e.g. 4GiB')
    .option('--memory <size>', 'memory one replica needs, e.g. 512MiB')
    .option('--wait', 'wait until the deployment serves; exit non-zero if it does not')
    .option('--timeout <duration>', 'how long --wait waits: 30s, 5m (default 5m)', parseDuration)
    .action(async (ref: string, flags: DeployFlags) => {
      const { pipeline, target, environment } = parseDeployRef(ref, flags.env);
      const scaling: Record<string, number> = {};
      if (flags.min !== undefined) scaling.min = flags.min;
      if (flags.max !== undefined) scaling.max = flags.max;
      if (flags.targetConcurrency !== undefined) scaling.targetConcurrency = flags.targetConcurrency;
      const resources: Record<string, string> = {};
      if (flags.gpu === true) resources.accelerator = 'gpu';
      if (flags.gpuMemory !== undefined) resources.gpuMemory = flags.gpuMemory;
      if (flags.memory !== undefined) resources.memory = flags.memory;
      const request: DeploymentRequest = { pipeline, environment, ...(target === undefined ? {} : { target }), scaling, resources };
      const client = context.client();
      let deployment = await client.deployments.apply(request);
      if (flags.wait === true) deployment = await waitHealthy(client, pipeline, environment, (flags.timeout ?? 300) * 1000);
      else if (deployment.state === 'unschedulable') context.io.stderr(`warning: ${deployment.message ?? 'unschedulable'}\n`);
      context.output().result(deployment, () => [formatDeployment(deployment)]);
    });

  program
    .command('undeploy')
    .description('remove a deployment; the pipeline then resolves as it did before')
    .argument('<name>', 'the pipeline')
    .option('--env <environment>', 'the environment (default production)')
    .action(async (name: string, flags: { env?: string }) => {
      const environment = flags.env ?? 'production';
      const result = await context.client().deployments.remove(name, environment);
      context.output().result(result, () => [`${name} undeployed from ${environment}`]);
    });

  program
    .command('deployments')
    .description('deployments: where each pipeline serves, its state and replicas')
    .command('ls', { isDefault: true })
    .description('list deployments (the default)')
    .action(async () => {
      const deployments = await context.client().deployments.list();
      context.output().result({ deployments }, () => formatDeployments(deployments));
    });

  const environments = program.command('environments').description('environments: dev, staging, production and your own');
  environments
    .command('ls', { isDefault: true })
    .description('list environments (the default)')
    .action(async () => {
      const list = await context.client().deployments.environments();
      context.output().result({ environments: list }, () => formatTable(['NAME', 'BUILT IN', 'DESCRIPTION'], list.map((e) => [e.name, e.builtIn ? 'yes' : 'no', e.description])));
    });
  environments
    .command('create')
    .description('create an environment')
    .argument('<name>', 'lowercase letters, digits and dashes')
    .option('--description <text>', 'what it is for')
    .action(async (name: string, flags: { description?: string }) => {
      const created = await context.client().deployments.createEnvironment(name, flags.description);
      context.output().result(created, () => [`environment ${created.name} created`]);
    });

  const rollout = program.command('rollout').description('canary, shadow and A/B rollouts of a new version, with automatic rollback');
  rollout
    .command('start')
    .description('start a rollout of a candidate version')
    .argument('<name:vN>', 'the candidate, e.g. credit-risk:v4')
    .option('--env <environment>', 'the environment (default production)')
    .option('--strategy <strategy>', 'canary (default), shadow or ab')
    .option('--steps <percentages>', 'canary steps, e.g. 5,25,50,100', parseSteps)
    .option('--interval <duration>', 'time between canary steps: 30s, 10m (default 10m)', parseDuration)
    .option('--weight <percent>', 'A/B share of the candidate (default 50)', positive)
    .option('--window <duration>', 'rollback window: error rate and p99 are compared over it (default 60s)', parseDuration)
    .action(async (ref: string, flags: { env?: string; strategy?: string; steps?: number[]; interval?: number; weight?: number; window?: number }) => {
      const parsed = parsePipelineRef(ref, 'candidate');
      if (parsed.selector.kind !== 'version') throw new SlipwayError(ErrorCode.invalidInput, `candidate: "${ref}" names no version; write name:vN, e.g. ${parsed.name}:v2`);
      const request: RolloutRequest = {
        candidate: parsed.selector.version,
        ...(flags.strategy === undefined ? {} : { strategy: flags.strategy as RolloutRequest['strategy'] }),
        ...(flags.steps === undefined ? {} : { steps: flags.steps }),
        ...(flags.interval === undefined ? {} : { intervalSeconds: flags.interval }),
        ...(flags.weight === undefined ? {} : { candidateWeight: flags.weight }),
        ...(flags.window === undefined ? {} : { rollback: { windowSeconds: flags.window } }),
      };
      const d = await context.client().deployments.startRollout(parsed.name, flags.env ?? 'production', request);
      context.output().result(d, () => [formatDeployment(d)]);
    });
  for (const action of ['status', 'promote', 'abort'] as const) {
    rollout
      .command(action)
      .description(action === 'status' ? 'the rollout: share, events and why it ended' : action === 'promote' ? 'promote the candidate now' : 'abort: all traffic back on stable')
      .argument('<name>', 'the pipeline')
      .option('--env <environment>', 'the environment (default production)')
      .action(async (name: string, flags: { env?: string }) => {
        const environment = flags.env ?? 'production';
        const client = context.client().deployments;
        if (action === 'status') {
          const status = await client.rolloutStatus(name, environment);
          context.output().result(status, () => formatRolloutStatus(status));
          return;
        }
        const d = action === 'promote' ? await client.promoteRollout(name, environment) : await client.abortRollout(name, environment);
        context.output().result(d, () => [formatDeployment(d)]);
      });
  }
}
