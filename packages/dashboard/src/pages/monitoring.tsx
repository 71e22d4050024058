/**
 * A pipeline's monitoring: drift per feature over time with the reference-vs-current
 * histogram of a chosen feature, realized vs estimated accuracy with label coverage,
 * fairness against the policy threshold, operational health and business KPIs with their
 * correlation to model metrics. Each family loads on its own, so one failure (a window
 * without profiles, say) leaves the others on screen.
 */
import type { ColumnDriftView, DriftResponse, MetricName, MetricsResponse, PolicyRecord } from '@slipway/core';
import { createContext, useContext, useMemo, useState } from 'react';
import { BarChart, LineChart } from '../components/chart.js';
import { ErrorNote, Loading } from '../components/status.js';
import { formatNumber, formatPercent } from '../format.js';
import { accuracySeries, disparateImpact, driftShare, driftStatistics, histogramSeries, labelCoverage, operationalSeries, type Series } from '../monitoring-series.js';
import { Link } from '../router.js';
import { routePath } from '../routes.js';
import { useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';

const WINDOWS = { '5m': 'five minutes', '1h': 'one hour', '1d': 'one day' } as const;
type WindowChoice = keyof typeof WINDOWS;
const PERIODS = { '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 } as const;
type PeriodChoice = keyof typeof PERIODS;
/** The four-fifths rule, when no policy sets a fairness threshold. */
const DEFAULT_FAIRNESS_THRESHOLD = 0.8;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T,>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

export function MonitoringPage({ name }: { name: string }) {
  const { api } = useSession();
  const [window, setWindow] = useState<WindowChoice>('5m');
  const [period, setPeriod] = useState<PeriodChoice>('24h');
  const state = useAsync(async () => {
    const to = Date.now();
    const from = to - PERIODS[period];
    const metric = (m: MetricName) => settle(api.monitoring.metrics(name, { metric: m, window, from, to }));
    const [drift, driftSeries, performance, estimated, fairness, operational, policies, kpis] = await Promise.all([
      settle(api.monitoring.drift(name, { window })),
      metric('drift'),
      metric('performance'),
      metric('estimated_performance'),
      metric('fairness'),
      metric('operational'),
      settle(api.policies.list()),
      settle(api.ingest.kpiNames(name)),
    ]);
    return { drift, driftSeries, performance, estimated, fairness, operational, policies, kpis, from, to };
  }, [api, name, window, period]);
  const range = useMemo((): [number, number] | undefined => (state.data === undefined ? undefined : [state.data.from / 1000, state.data.to / 1000]), [state.data]);

  return (
    <>
      <p className="muted small">
        <Link to={routePath({ page: 'pipeline', name })}>{name}</Link> / monitoring
      </p>
      <h1>Monitoring: {name}</h1>
      <div className="toolbar">
        <label htmlFor="window-select">Window</label>
        <select id="window-select" value={window} onChange={(e) => setWindow(e.target.value as WindowChoice)}>
          {Object.entries(WINDOWS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        <label htmlFor="period-select">Period</label>
        <select id="period-select" value={period} onChange={(e) => setPeriod(e.target.value as PeriodChoice)}>
          {Object.keys(PERIODS).map((k) => (
            <option key={k} value={k}>
              last {k}
            </option>
          ))}
        </select>
        <button type="button" className="secondary" onClick={state.reload}>
          Refresh
        </button>
      </div>
      {state.data === undefined ? (
        state.error !== undefined ? <ErrorNote error={state.error} /> : <Loading what="monitoring" />
      ) : (
        <PeriodContext.Provider value={range}>
          <DriftSection latest={state.data.drift} series={state.data.driftSeries} />
          <PerformanceSection performance={state.data.performance} estimated={state.data.estimated} />
          <FairnessSection fairness={state.data.fairness} policies={state.data.policies} />
          <OperationalSection operational={state.data.operational} />
          <KpiSection name={name} kpis={state.data.kpis} window={window} from={state.data.from} to={state.data.to} />
        </PeriodContext.Provider>
      )}
    </>
  );
}

/** The chosen period, in the epoch seconds charts use; set by the page for every chart in it. */
const PeriodContext = createContext<[number, number] | undefined>(undefined);

function Chart({ title, data, summary, threshold }: { title: string; data: Series; summary: string; threshold?: { label: string; value: number } }) {
  const xRange = useContext(PeriodContext);
  if (data.x.length === 0) return <p className="muted">{title}: no windows in this period yet.</p>;
  return <LineChart title={title} summary={summary} x={data.x} series={data.series} {...(xRange === undefined ? {} : { xRange })} {...(threshold === undefined ? {} : { threshold })} />;
}

function DriftSection({ latest, series }: { latest: Settled<DriftResponse>; series: Settled<MetricsResponse> }) {
  const window = latest.ok ? latest.value.window : null;
  const columns = useMemo(() => [...(window?.drift.columns ?? [])].sort((a, b) => Number(b.drifted) - Number(a.drifted) || a.column.localeCompare(b.column)), [window]);
  const [chosen, setChosen] = useState<string>();
  const column = columns.find((c) => c.column === chosen) ?? columns[0];
  const drifted = columns.filter((c) => c.drifted);
  return (
    <section aria-labelledby="drift-heading">
      <h2 id="drift-heading">Data drift</h2>
      {!latest.ok && <ErrorNote error={latest.error} title="Could not load the latest drift" />}
      {latest.ok && window === null && <p className="muted">No profiled window yet: drift appears once the pipeline has served runs (windows are profiled every few seconds).</p>}
      {window !== null && (
        <>
          <p id="drift-summary" className={drifted.length > 0 ? 'flag' : 'ok'} role="status">
            {drifted.length > 0
              ? `Drift detected in ${drifted.length} of ${window.drift.evaluatedColumns} features: ${drifted.map((c) => c.column).join(', ')}`
              : `No feature drifted (${window.drift.evaluatedColumns} checked)`}{' '}
            <span className="muted small">
              window from {new Date(window.start).toLocaleString()}, v{window.version}, {window.rows} rows
            </span>
          </p>
          <div className="charts">
            <DriftTable columns={columns} caption="Feature drift in the latest window" />
            {column !== undefined && <Histogram column={column} columns={columns} onChoose={setChosen} />}
          </div>
          {window.drift.prediction.length > 0 && <DriftTable columns={window.drift.prediction} caption="Prediction drift in the latest window" />}
        </>
      )}
      {!series.ok && <ErrorNote error={series.error} title="Could not load drift over time" />}
      {series.ok && (
        <div className="charts">
          <Chart title="Drift statistic per feature" data={driftStatistics(series.value.points ?? [])} summary="one line per feature; higher is more drift (p-value tests and distances share the axis)" />
          <Chart title="Share of features drifted" data={driftShare(series.value.points ?? [])} summary="fraction of features flagged per window" />
        </div>
      )}
    </section>
  );
}

function DriftTable({ columns, caption }: { columns: ColumnDriftView[]; caption: string }) {
  return (
    <table className="drift">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col">Method</th>
          <th scope="col">Statistic</th>
          <th scope="col">p-value</th>
          <th scope="col">Threshold</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c) => (
          <tr key={c.column} data-drifted={c.drifted}>
            <th scope="row">{c.column}</th>
            <td>{c.method}</td>
            <td>{formatNumber(c.statistic)}</td>
            <td>{formatNumber(c.pValue)}</td>
            <td>{formatNumber(c.threshold)}</td>
            <td className={c.drifted ? 'flag' : 'ok'}>{c.drifted ? 'Drifted' : 'OK'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Histogram({ column, columns, onChoose }: { column: ColumnDriftView; columns: ColumnDriftView[]; onChoose: (c: string) => void }) {
  const h = useMemo(() => histogramSeries(column.histogram), [column]);
  const series = useMemo(() => [{ label: `reference (${column.referenceCount})`, values: h.reference }, { label: `current (${column.currentCount})`, values: h.current }], [h, column]);
  return (
    <div>
      <label htmlFor="histogram-column">Histogram of </label>
      <select id="histogram-column" value={column.column} onChange={(e) => onChoose(e.target.value)}>
        {columns.map((c) => (
          <option key={c.column} value={c.column}>
            {c.column}
            {c.drifted ? ' (drifted)' : ''}
          </option>
        ))}
      </select>
      <BarChart title={`${column.column}: reference vs current`} summary={`share of rows per bucket; ${column.drifted ? 'drifted' : 'not drifted'} by ${column.method}`} labels={h.labels} series={series} />
    </div>
  );
}

function PerformanceSection({ performance, estimated }: { performance: Settled<MetricsResponse>; estimated: Settled<MetricsResponse> }) {
  const realized = performance.ok ? (performance.value.points ?? []) : [];
  const estimates = estimated.ok ? (estimated.value.points ?? []) : [];
  return (
    <section aria-labelledby="performance-heading">
      <h2 id="performance-heading">Model performance</h2>
      {!performance.ok && <ErrorNote error={performance.error} title="Could not load realized performance" />}
      {!estimated.ok && <ErrorNote error={estimated.error} title="Could not load estimated performance" />}
      <div className="charts">
        <Chart title="Accuracy: realized (labels) vs estimated (CBPE)" data={accuracySeries(realized, estimates)} summary="realized accuracy from feedback labels next to the label-free estimate and its band" />
        <Chart title="Label coverage" data={labelCoverage(realized)} summary="share of a window's predictions with a label" />
      </div>
    </section>
  );
}

function FairnessSection({ fairness, policies }: { fairness: Settled<MetricsResponse>; policies: Settled<PolicyRecord[]> }) {
  const thresholds = policies.ok ? policies.value.flatMap((p) => (p.document.rules.fairness === undefined ? [] : [{ value: p.document.rules.fairness.threshold, policy: p.name }])) : [];
  const strictest = thresholds.sort((a, b) => b.value - a.value)[0];
  const threshold = strictest === undefined ? { label: `four-fifths rule (${DEFAULT_FAIRNESS_THRESHOLD})`, value: DEFAULT_FAIRNESS_THRESHOLD } : { label: `policy ${strictest.policy} (${strictest.value})`, value: strictest.value };
  const points = fairness.ok ? (fairness.value.points ?? []) : [];
  const last = points.at(-1);
  const selection = (last?.selection ?? {}) as Record<string, { disparateImpact: number | null; groups: { group: string; privileged: boolean; count: number; selectionRate: number }[] }>;
  return (
    <section aria-labelledby="fairness-heading">
      <h2 id="fairness-heading">Fairness</h2>
      {!fairness.ok && <ErrorNote error={fairness.error} title="Could not load fairness" />}
      <div className="charts">
        <Chart title="Disparate impact per protected attribute" data={disparateImpact(points)} summary={`selection-rate ratio of unprivileged to privileged groups; below ${threshold.value} fails`} threshold={threshold} />
        {Object.keys(selection).length > 0 && (
          <table>
            <caption>Selection rate per group, latest window</caption>
            <thead>
              <tr>
                <th scope="col">Attribute</th>
                <th scope="col">Group</th>
                <th scope="col">Rows</th>
                <th scope="col">Selection rate</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(selection).flatMap(([attribute, s]) =>
                s.groups.map((g) => (
                  <tr key={`${attribute}:${g.group}`}>
                    <th scope="row">{attribute}</th>
                    <td>
                      {g.group}
                      {g.privileged ? ' (privileged)' : ''}
                    </td>
                    <td>{g.count}</td>
                    <td>{formatPercent(g.selectionRate)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

function OperationalSection({ operational }: { operational: Settled<MetricsResponse> }) {
  if (!operational.ok) return <ErrorNote error={operational.error} title="Could not load operational metrics" />;
  const s = operationalSeries(operational.value.points ?? []);
  return (
    <section aria-labelledby="operational-heading">
      <h2 id="operational-heading">Traffic and latency</h2>
      <div className="charts">
        <Chart title="Requests per window" data={s.traffic} summary="runs served per window" />
        <Chart title="Error rate" data={s.errors} summary="share of runs that failed per window" />
        <Chart title="Latency percentiles (ms)" data={s.latency} summary="p50, p90 and p99 run latency per window" />
      </div>
    </section>
  );
}

function KpiSection({ name, kpis, window, from, to }: { name: string; kpis: Settled<string[]>; window: string; from: number; to: number }) {
  const { api } = useSession();
  const names = kpis.ok ? kpis.value : [];
  const [chosen, setChosen] = useState<string>();
  const kpi = chosen ?? names[0];
  const detail = useAsync(
    async () =>
      kpi === undefined
        ? undefined
        : Promise.all([api.ingest.kpiSeries(kpi, { pipeline: name, window, from, to }), api.monitoring.metrics(name, { metric: 'kpi_correlation', kpi, window, from, to })]),
    [api, name, kpi, window, from, to],
  );
  return (
    <section aria-labelledby="kpi-heading">
      <h2 id="kpi-heading">Business KPIs</h2>
      {!kpis.ok && <ErrorNote error={kpis.error} title="Could not load KPIs" />}
      {kpis.ok && names.length === 0 && <p className="muted">No KPI reported for this pipeline yet: send them with POST /v1/kpis.</p>}
      {kpi !== undefined && (
        <>
          <label htmlFor="kpi-select">KPI </label>
          <select id="kpi-select" value={kpi} onChange={(e) => setChosen(e.target.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          {detail.error !== undefined && <ErrorNote error={detail.error} />}
          {detail.data !== undefined && (
            <div className="charts">
              <Chart title={`${kpi} (mean per window)`} data={{ x: detail.data[0].series.map((p) => p.start / 1000), series: [{ label: kpi, values: detail.data[0].series.map((p) => p.mean) }] }} summary="the KPI's mean per window" />
              <table>
                <caption>Correlation of {kpi} with model metrics</caption>
                <thead>
                  <tr>
                    <th scope="col">Metric</th>
                    <th scope="col">Windows</th>
                    <th scope="col">Pearson</th>
                    <th scope="col">Spearman</th>
                  </tr>
                </thead>
                <tbody>
                  {(detail.data[1].correlations ?? []).map((c) => (
                    <tr key={c.metric}>
                      <th scope="row">{c.metric}</th>
                      <td>{c.windows}</td>
                      <td>{formatNumber(c.pearson, 2)}</td>
                      <td>{formatNumber(c.spearman, 2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
