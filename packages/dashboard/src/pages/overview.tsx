/**
 * Overview: every pipeline's health at a glance (traffic since this page opened, error
 * rate, p99 model time, cache hits, from `/metrics`) and the serving engine's memory.
 */
import { ApiPaths, type DeploymentView, type DriftResponse, type IncidentsResponse, type PipelineSummary, type ServingModelsResponse } from '@slipway/core';
import { useEffect, useRef, useState } from 'react';
import { Sparkline } from '../components/chart.js';
import { ErrorNote, Loading } from '../components/status.js';
import { formatBytes, formatMs, formatPercent, formatTime } from '../format.js';
import { type PipelineHealth, parsePrometheus, pipelineHealth } from '../prometheus.js';
import { Link } from '../router.js';
import { routePath } from '../routes.js';
import { useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';

const POLL_MS = 5_000;
const HISTORY = 60;

interface Snapshot {
  pipelines: PipelineSummary[];
  serving: ServingModelsResponse;
  health: Map<string, PipelineHealth>;
  /** Latest window's drift per pipeline: drifted feature names, or null before any profiled window. */
  drift: Map<string, string[] | null>;
  openIncidents: Map<string, number>;
  deployments: DeploymentView[];
}

// Monitoring, incidents and deployments are extras: a token that may not read them still sees the rest.
const orEmpty = <T,>(p: Promise<T>, empty: T) => p.catch(() => empty);

/** Runs per poll interval for each pipeline, from the growth of the runs counter. */
function useTraffic(snapshot: Snapshot | undefined): Map<string, number[]> {
  const last = useRef(new Map<string, number>());
  const [traffic, setTraffic] = useState(new Map<string, number[]>());
  useEffect(() => {
    if (snapshot === undefined) return;
    setTraffic((previous) => {
      const next = new Map<string, number[]>();
      for (const [name, health] of snapshot.health) {
        const before = last.current.get(name);
        const series = previous.get(name) ?? [];
        next.set(name, before === undefined ? series : [...series, Math.max(0, health.runs - before)].slice(-HISTORY));
        last.current.set(name, health.runs);
      }
      return next;
    });
  }, [snapshot]);
  return traffic;
}

export function Overview() {
  const { api } = useSession();
  const state = useAsync<Snapshot>(
    async () => {
      const [pipelines, serving, metrics, incidents, deployments] = await Promise.all([
        api.listPipelines(),
        api.servingModels(),
        api.metrics(),
        orEmpty(api.get<IncidentsResponse>(`${ApiPaths.incidents}?state=open`), { incidents: [] }),
        orEmpty(api.deployments.list(), []),
      ]);
      const drift = await Promise.all(pipelines.map((p) => orEmpty<DriftResponse | undefined>(api.monitoring.drift(p.name), undefined)));
      const samples = parsePrometheus(metrics);
      const openIncidents = new Map<string, number>();
      for (const i of incidents.incidents) openIncidents.set(i.pipeline, (openIncidents.get(i.pipeline) ?? 0) + 1);
      return {
        pipelines,
        serving,
        health: new Map(pipelines.map((p) => [p.name, pipelineHealth(samples, p.name)])),
        drift: new Map(pipelines.map((p, i) => [p.name, drift[i]?.window?.drift.columns.filter((c) => c.drifted).map((c) => c.column) ?? null])),
        openIncidents,
        deployments,
      };
    },
    [api],
    POLL_MS,
  );
  const traffic = useTraffic(state.data);
  if (state.data === undefined) return state.error !== undefined ? <ErrorNote error={state.error} title="Could not load the overview" /> : <Loading what="pipelines" />;
  const { pipelines, serving, health, drift, openIncidents, deployments } = state.data;
  return (
    <>
      <h1>Overview</h1>
      {state.error !== undefined && <ErrorNote error={state.error} title="Refresh failed, showing the last answer" />}
      <section aria-labelledby="pipelines-heading">
        <h2 id="pipelines-heading">Pipelines</h2>
        {pipelines.length === 0 ? (
          <p>No pipelines yet: push one with <code>slipway push &lt;folder&gt;</code>.</p>
        ) : (
          <table>
            <caption className="visually-hidden">Pipelines and their health since the server started</caption>
            <thead>
              <tr>
                <th scope="col">Pipeline</th>
                <th scope="col">Latest</th>
                <th scope="col">Aliases</th>
                <th scope="col">Traffic (runs / {POLL_MS / 1000} s)</th>
                <th scope="col">Runs</th>
                <th scope="col">Error rate</th>
                <th scope="col">p99 model time</th>
                <th scope="col">Cache hits</th>
                <th scope="col">Drift</th>
                <th scope="col">Open incidents</th>
              </tr>
            </thead>
            <tbody>
              {pipelines.map((p) => {
                const h = health.get(p.name);
                const series = traffic.get(p.name) ?? [];
                const hitRatio = h === undefined || h.cacheHits + h.cacheMisses === 0 ? null : h.cacheHits / (h.cacheHits + h.cacheMisses);
                return (
                  <tr key={p.name}>
                    <th scope="row">
                      <Link to={routePath({ page: 'pipeline', name: p.name })}>{p.name}</Link>
                      {p.description !== null && <div className="muted small">{p.description}</div>}
                    </th>
                    <td>v{p.latestVersion}</td>
                    <td>
                      {Object.entries(p.aliases).map(([alias, version]) => (
                        <span key={alias} className="tag">
                          @{alias} → v{version}
                        </span>
                      ))}
                    </td>
                    <td>{series.length < 2 ? <span className="muted small">collecting…</span> : <Sparkline label={`${p.name}: ${series.reduce((a, b) => a + b, 0)} runs in the last ${series.length * (POLL_MS / 1000)} s`} values={series} />}</td>
                    <td>{h?.runs ?? 0}</td>
                    <td className={h !== undefined && (h.errorRate ?? 0) > 0.05 ? 'bad' : undefined}>{formatPercent(h?.errorRate)}</td>
                    <td>{formatMs(h?.computeP99Ms)}</td>
                    <td>{formatPercent(hitRatio)}</td>
                    <td>
                      <DriftStatus name={p.name} drifted={drift.get(p.name) ?? null} />
                    </td>
                    <td className={(openIncidents.get(p.name) ?? 0) > 0 ? 'flag' : undefined}>
                      {(openIncidents.get(p.name) ?? 0) > 0 ? <Link to={routePath({ page: 'incidents' })}>{openIncidents.get(p.name)}</Link> : 0}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {deployments.length > 0 && (
        <section aria-labelledby="deployments-heading">
          <h2 id="deployments-heading">Deployments</h2>
          <ul className="features">
            {deployments.map((d) => (
              <li key={`${d.pipeline}/${d.environment}`}>
                <Link to={routePath({ page: 'deployments' })}>
                  {d.pipeline} / {d.environment}
                </Link>{' '}
                <span className={d.state === 'unschedulable' ? 'flag' : 'tag'}>{d.state}</span> {d.replicas.ready}/{d.replicas.desired} replicas
                {d.rollout?.status === 'running' && `, ${d.rollout.strategy} rollout at ${d.rollout.percent}%`}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="serving-heading">
        <h2 id="serving-heading">Serving cache</h2>
        <p>
          <label htmlFor="memory">
            Model memory: {formatBytes(serving.usedBytes)} of {formatBytes(serving.budgetBytes)} ({formatPercent(serving.budgetBytes === 0 ? null : serving.usedBytes / serving.budgetBytes)})
          </label>
          <meter id="memory" min={0} max={serving.budgetBytes} value={serving.usedBytes} />
        </p>
        <ul className="features" aria-label="Model hosts">
          {[...hosts(serving)].map(([host, h]) => (
            <li key={host}>
              <span className="mono">{host}</span>: {h.versions} version{h.versions === 1 ? '' : 's'}, {formatBytes(h.bytes)}, {h.hits} hits
            </li>
          ))}
        </ul>
        <table>
          <caption className="visually-hidden">Loaded versions</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Host</th>
              <th scope="col">Memory</th>
              <th scope="col">Load</th>
              <th scope="col">Hits</th>
              <th scope="col">Pinned</th>
            </tr>
          </thead>
          <tbody>
            {serving.models.map((m) => (
              <tr key={`${m.pipeline}:${m.version}`}>
                <th scope="row">
                  {m.pipeline}:v{m.version}
                </th>
                <td>{m.host}</td>
                <td>{formatBytes(m.bytes)}</td>
                <td>{formatMs(m.loadMs)}</td>
                <td>{m.hits}</td>
                <td>{m.pinnedUntil === null ? 'no' : m.pinnedUntil === 'cooldown' ? 'until cooldown' : `until ${formatTime(m.pinnedUntil)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {serving.models.length === 0 && <p className="muted">No version is loaded; the first run of a pipeline loads it.</p>}
      </section>
    </>
  );
}

function DriftStatus({ name, drifted }: { name: string; drifted: string[] | null }) {
  const to = routePath({ page: 'monitoring', name });
  if (drifted === null) return <span className="muted small">no window yet</span>;
  if (drifted.length === 0) return <Link to={to} aria-label={`${name} drift: none`}>none</Link>;
  return (
    <Link to={to} className="flag" aria-label={`${name} drift: ${drifted.join(', ')}`}>
      {drifted.join(', ')}
    </Link>
  );
}

/** Loaded versions grouped by where they run (the HTTP thread or a worker thread). */
function hosts(serving: ServingModelsResponse): Map<string, { versions: number; bytes: number; hits: number }> {
  const out = new Map<string, { versions: number; bytes: number; hits: number }>();
  for (const m of serving.models) {
    const h = out.get(m.host) ?? { versions: 0, bytes: 0, hits: 0 };
    out.set(m.host, { versions: h.versions + 1, bytes: h.bytes + m.bytes, hits: h.hits + m.hits });
  }
  return out;
}
