/**
 * Deployments: each pipeline's deployment per environment with its replicas and state;
 * a chosen deployment's traffic split, rollout progress and events, its latency and error
 * charts, and promote / abort for roles that deploy.
 */
import { type DeploymentView, Permission } from '@slipway/core';
import { useMemo, useState } from 'react';
import { describeError } from '../api.js';
import { LineChart } from '../components/chart.js';
import { ErrorNote, Loading } from '../components/status.js';
import { formatPercent, formatTime } from '../format.js';
import { parsePrometheus, pipelineHealth } from '../prometheus.js';
import { operationalSeries } from '../monitoring-series.js';
import { useCan, useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';

const key = (d: Pick<DeploymentView, 'pipeline' | 'environment'>) => `${d.pipeline}/${d.environment}`;

export function DeploymentsPage() {
  const { api } = useSession();
  const list = useAsync(() => api.deployments.list(), [api], 10_000);
  const [selected, setSelected] = useState<string>();
  const deployments = list.data ?? [];
  const current = deployments.find((d) => key(d) === selected);
  return (
    <>
      <h1>Deployments</h1>
      {list.error !== undefined && <ErrorNote error={list.error} title="Could not load deployments" />}
      {list.data === undefined && list.error === undefined && <Loading what="deployments" />}
      {list.data !== undefined && deployments.length === 0 && <p className="muted">No deployment yet: create one with `slipway deploy`.</p>}
      {deployments.length > 0 && (
        <table>
          <caption className="visually-hidden">Deployments by pipeline and environment</caption>
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Target</th>
              <th scope="col">Version</th>
              <th scope="col">State</th>
              <th scope="col">Replicas</th>
              <th scope="col">Rollout</th>
            </tr>
          </thead>
          <tbody>
            {deployments.map((d) => (
              <tr key={key(d)}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => setSelected(key(d))} aria-expanded={key(d) === selected}>
                    {d.pipeline} / {d.environment}
                  </button>
                </th>
                <td className="mono">{d.target}</td>
                <td>{d.version === null ? '—' : `v${d.version}`}</td>
                <td className={d.state === 'unschedulable' ? 'flag' : undefined}>
                  {d.state}
                  {d.message !== null && <div className="muted small">{d.message}</div>}
                </td>
                <td>
                  {d.replicas.ready} / {d.replicas.desired}
                </td>
                <td>{d.rollout === null ? 'none' : `${d.rollout.strategy} ${d.rollout.status}, ${d.rollout.percent}% to v${d.rollout.candidate}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current !== undefined && <DeploymentDetail key={key(current)} deployment={current} onChanged={list.reload} />}
    </>
  );
}

function DeploymentDetail({ deployment, onChanged }: { deployment: DeploymentView; onChanged: () => void }) {
  const { api } = useSession();
  const canDeploy = useCan(Permission.deploy);
  const { pipeline, environment } = deployment;
  const status = useAsync(() => (deployment.rollout === null ? Promise.resolve(undefined) : api.deployments.rolloutStatus(pipeline, environment)), [api, pipeline, environment, deployment.rollout?.status, deployment.rollout?.percent]);
  const ops = useAsync(() => api.monitoring.metrics(pipeline, { metric: 'operational', window: '5m' }), [api, pipeline]);
  const health = useAsync(async () => pipelineHealth(parsePrometheus(await api.metrics()), pipeline), [api, pipeline]);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const rollout = deployment.rollout;

  async function act(action: 'promote' | 'abort') {
    try {
      const after = action === 'promote' ? await api.deployments.promoteRollout(pipeline, environment) : await api.deployments.abortRollout(pipeline, environment);
      setResult({ ok: true, text: `Rollout ${after.rollout?.status ?? 'ended'}.` });
      onChanged();
    } catch (error) {
      setResult({ ok: false, text: describeError(error) });
    }
  }

  const series = useMemo(() => (ops.data === undefined ? undefined : operationalSeries(ops.data.points ?? [])), [ops.data]);
  const xRange = useMemo((): [number, number] | undefined => (ops.data === undefined ? undefined : [ops.data.from / 1000, ops.data.to / 1000]), [ops.data]);
  return (
    <section aria-labelledby="deployment-heading" className="panel">
      <h2 id="deployment-heading">
        {pipeline} / {environment}
      </h2>
      {rollout === null ? (
        <p>All traffic to {deployment.version === null ? 'nothing' : `v${deployment.version}`}; no rollout in progress.</p>
      ) : (
        <>
          <p>
            {rollout.strategy} rollout v{rollout.stable} → v{rollout.candidate}, {rollout.status}
            {rollout.reason !== null && ` (${rollout.reason})`}
          </p>
          <p>
            <label htmlFor="traffic-split">
              Traffic split: v{rollout.stable} {100 - rollout.percent}% / v{rollout.candidate} {rollout.percent}%
            </label>
            <meter id="traffic-split" min={0} max={100} value={rollout.percent} />
          </p>
          {rollout.steps.length > 0 && (
            <p>
              <label htmlFor="rollout-progress">
                Step {Math.min(rollout.step + 1, rollout.steps.length)} of {rollout.steps.length} ({rollout.steps.join('% → ')}%)
                {rollout.nextStepAt !== null && `, next at ${formatTime(rollout.nextStepAt)}`}
              </label>
              <progress id="rollout-progress" max={rollout.steps.length} value={Math.min(rollout.step + 1, rollout.steps.length)} />
            </p>
          )}
          {canDeploy && rollout.status === 'running' && (
            <div className="toolbar">
              <button type="button" onClick={() => void act('promote')}>
                Promote v{rollout.candidate}
              </button>
              <button type="button" className="secondary" onClick={() => void act('abort')}>
                Abort and roll back
              </button>
            </div>
          )}
        </>
      )}
      {result !== undefined && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'ok' : 'error'}>
          {result.text}
        </p>
      )}
      <p>
        Replicas {deployment.replicas.ready} ready of {deployment.replicas.desired} wanted ({deployment.state}).
        {health.data !== undefined &&
          ` Since the server started: ${health.data.runs} runs, cache hits ${formatPercent(
            health.data.cacheHits + health.data.cacheMisses === 0 ? null : health.data.cacheHits / (health.data.cacheHits + health.data.cacheMisses),
          )}, ${health.data.meanBatchRows === null ? 'no batches yet' : `${health.data.meanBatchRows.toFixed(1)} rows per batch on average`}.`}
      </p>
      {status.error !== undefined && <ErrorNote error={status.error} />}
      {status.data !== undefined && status.data.events.length > 0 && (
        <>
          <h3>Rollout events</h3>
          <ol className="timeline">
            {status.data.events.map((e) => (
              <li key={e.seq}>
                <time dateTime={e.at}>{formatTime(e.at)}</time> <span className="tag">{e.kind}</span> {e.percent}% to v{e.candidate}
                {e.reason !== null && `: ${e.reason}`} <span className="muted small">by {e.actor}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {ops.error !== undefined && <ErrorNote error={ops.error} title="Could not load latency and errors" />}
      {series !== undefined && series.latency.x.length > 0 && (
        <div className="charts">
          <LineChart title="Latency percentiles (ms)" summary={`p50, p90 and p99 of ${pipeline} per five minutes`} x={series.latency.x} series={series.latency.series} {...(xRange === undefined ? {} : { xRange })} />
          <LineChart title="Error rate" summary={`share of failed runs of ${pipeline} per five minutes`} x={series.errors.x} series={series.errors.series} {...(xRange === undefined ? {} : { xRange })} />
        </div>
      )}
    </section>
  );
}
