/**
 * A pipeline: its versions with lineage, aliases with their history (and moving one,
 * for roles that may promote), the selected version's signature, and the playground.
 */
import { type AliasRecord, Permission, type VersionRecord } from '@slipway/core';
import { type FormEvent, useState } from 'react';
import { ErrorNote, Loading } from '../components/status.js';
import { describeError } from '../api.js';
import { formatBytes, formatTime } from '../format.js';
import { useCan, useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';
import { Link } from '../router.js';
import { routePath } from '../routes.js';
import { Playground } from './playground.js';
import { PolicyPanel } from './policy-panel.js';

export function PipelinePage({ name }: { name: string }) {
  const { api } = useSession();
  const state = useAsync(async () => {
    const [pipeline, versions, aliases] = await Promise.all([api.getPipeline(name), api.listVersions(name), api.listAliases(name)]);
    return { pipeline, versions, aliases };
  }, [api, name]);
  const [selected, setSelected] = useState<number>();
  if (state.data === undefined) return state.error !== undefined ? <ErrorNote error={state.error} title={`Could not load pipeline ${name}`} /> : <Loading what={`pipeline ${name}`} />;
  const { pipeline, versions, aliases } = state.data;
  const version = versions.find((v) => v.version === selected) ?? versions[0];
  return (
    <>
      <h1>{pipeline.name}</h1>
      {pipeline.description !== null && <p className="lede">{pipeline.description}</p>}
      <p>
        <Link to={routePath({ page: 'monitoring', name })}>Monitoring: drift, performance, fairness, KPIs</Link>
      </p>
      {version !== undefined && (
        <p>
          <label htmlFor="version-select">Version shown below </label>
          <select id="version-select" value={version.version} onChange={(e) => setSelected(Number(e.target.value))}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {Object.entries(pipeline.aliases)
                  .filter(([, n]) => n === v.version)
                  .map(([a]) => ` @${a}`)
                  .join('')}
              </option>
            ))}
          </select>
        </p>
      )}
      <div className="columns">
        {version !== undefined && <Playground key={`${name}:${version.version}`} version={version} />}
        {version !== undefined && <Signature version={version} />}
      </div>
      {version !== undefined && <PolicyPanel key={`policy:${version.version}`} version={version} />}
      <Versions versions={versions} />
      <Aliases name={name} aliases={aliases} versions={versions} onMoved={state.reload} />
    </>
  );
}

function Versions({ versions }: { versions: VersionRecord[] }) {
  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions and lineage</h2>
      <table>
        <caption className="visually-hidden">Versions, newest first, with where each came from</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">Dataset</th>
            <th scope="col">Code</th>
            <th scope="col">Metrics</th>
            <th scope="col">Parameters</th>
            <th scope="col">Size</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">
                v{v.version}
                <div className="muted small mono" title={v.digest}>
                  {v.digest.slice(0, 19)}…
                </div>
              </th>
              <td>
                {formatTime(v.createdAt)}
                <div className="muted small">by {v.createdBy}</div>
              </td>
              <td>
                {v.lineage.dataset === undefined ? (
                  <span className="muted">not recorded</span>
                ) : (
                  <>
                    <span className="mono">{v.lineage.dataset.uri}</span>
                    {v.lineage.dataset.digest !== undefined && <div className="muted small mono">{v.lineage.dataset.digest.slice(0, 19)}…</div>}
                  </>
                )}
              </td>
              <td>
                {v.lineage.codeCommit === undefined ? <span className="muted">not recorded</span> : <span className="mono">{v.lineage.codeCommit.slice(0, 12)}</span>}
                {v.lineage.codeRepository !== undefined && <div className="muted small">{v.lineage.codeRepository}</div>}
              </td>
              <td>
                <KeyValues values={v.lineage.metrics} />
              </td>
              <td>
                <KeyValues values={v.lineage.parameters} />
              </td>
              <td>{formatBytes(v.artifacts.reduce((n, a) => n + a.size, 0))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function KeyValues({ values }: { values: Record<string, string | number | boolean> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <span className="muted">none</span>;
  return (
    <dl className="kv">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Signature({ version }: { version: VersionRecord }) {
  const features = version.manifest.tabular?.features;
  return (
    <section aria-labelledby="signature-heading" className="panel">
      <h2 id="signature-heading">Signature of v{version.version}</h2>
      <table>
        <caption className="visually-hidden">Model inputs and outputs</caption>
        <thead>
          <tr>
            <th scope="col">Tensor</th>
            <th scope="col">Direction</th>
            <th scope="col">Datatype</th>
            <th scope="col">Shape</th>
          </tr>
        </thead>
        <tbody>
          {[...version.signature.inputs.map((t) => ({ t, dir: 'input' })), ...version.signature.outputs.map((t) => ({ t, dir: 'output' }))].map(({ t, dir }) => (
            <tr key={`${dir}:${t.name}`}>
              <th scope="row" className="mono">
                {t.name}
              </th>
              <td>{dir}</td>
              <td>{t.datatype}</td>
              <td className="mono">[{t.shape.map((d, i) => (d < 0 ? (t.symbolicDims?.[i] ?? '?') : d)).join(', ')}]</td>
            </tr>
          ))}
        </tbody>
      </table>
      {features !== undefined && (
        <>
          <h3>Features ({features.length})</h3>
          <ul className="features">
            {features.map((f) => (
              <li key={f.name}>
                <span className="mono">{f.name}</span> <span className="tag">{f.type}</span>
                {f.categories !== undefined && <span className="muted small"> {f.categories.join(' | ')}</span>}
                {f.description !== undefined && <div className="muted small">{f.description}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Aliases({ name, aliases, versions, onMoved }: { name: string; aliases: AliasRecord[]; versions: VersionRecord[]; onMoved: () => void }) {
  const canPromote = useCan(Permission.promote);
  return (
    <section aria-labelledby="aliases-heading">
      <h2 id="aliases-heading">Aliases</h2>
      {aliases.length === 0 ? <p className="muted">No aliases yet.</p> : aliases.map((a) => <AliasHistory key={a.alias} name={name} alias={a} />)}
      {canPromote && <MoveAlias name={name} aliases={aliases} versions={versions} onMoved={onMoved} />}
    </section>
  );
}

function AliasHistory({ name, alias }: { name: string; alias: AliasRecord }) {
  const { api } = useSession();
  const history = useAsync(() => api.aliasHistory(name, alias.alias), [api, name, alias.alias, alias.version]);
  return (
    <details className="alias">
      <summary>
        <strong>@{alias.alias}</strong> → v{alias.version} <span className="muted small">moved by {alias.updatedBy}, {formatTime(alias.updatedAt)}</span>
      </summary>
      {history.error !== undefined && <ErrorNote error={history.error} />}
      <ol>
        {history.data?.map((e, i) => (
          <li key={i}>
            {formatTime(e.at)}: {e.fromVersion === null ? 'created at' : `v${e.fromVersion} →`} v{e.toVersion} by {e.actor}
          </li>
        ))}
      </ol>
    </details>
  );
}

function MoveAlias({ name, aliases, versions, onMoved }: { name: string; aliases: AliasRecord[]; versions: VersionRecord[]; onMoved: () => void }) {
  const { api } = useSession();
  const [alias, setAlias] = useState(aliases[0]?.alias ?? 'production');
  const [version, setVersion] = useState(versions[0]?.version ?? 1);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const moved = await api.setAlias(name, alias.trim(), version);
      setResult({ ok: true, text: `@${moved.alias} now points at v${moved.version}.` });
      onMoved();
    } catch (error) {
      setResult({ ok: false, text: describeError(error) });
    }
  }
  return (
    <form className="inline" onSubmit={(e) => void submit(e)} aria-labelledby="move-alias-heading">
      <h3 id="move-alias-heading">Move an alias</h3>
      <label htmlFor="alias-name">Alias</label>
      <input id="alias-name" value={alias} onChange={(e) => setAlias(e.target.value)} list="alias-names" required />
      <datalist id="alias-names">
        {aliases.map((a) => (
          <option key={a.alias} value={a.alias} />
        ))}
      </datalist>
      <label htmlFor="alias-version">to version</label>
      <select id="alias-version" value={version} onChange={(e) => setVersion(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            v{v.version}
          </option>
        ))}
      </select>
      <button type="submit">Move alias</button>
      {result !== undefined && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'ok' : 'error'}>
          {result.text}
        </p>
      )}
    </form>
  );
}
