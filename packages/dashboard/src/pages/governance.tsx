/**
 * Governance: the audit log with filters and its hash-chain verification, the policies in
 * force, and the compliance report of any version (fetched with the session's token and
 * opened in a new tab, since a plain link could not carry the token).
 */
import type { AuditEvent, AuditVerifyResponse, PolicyRecord } from '@slipway/core';
import { type FormEvent, useState } from 'react';
import { describeError } from '../api.js';
import { ErrorNote, Loading } from '../components/status.js';
import { formatTime } from '../format.js';
import { useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';

export function GovernancePage() {
  return (
    <>
      <h1>Governance</h1>
      <ComplianceReport />
      <Policies />
      <AuditLog />
    </>
  );
}

function AuditLog() {
  const { api } = useSession();
  const [actor, setActor] = useState('');
  const [target, setTarget] = useState('');
  const [filter, setFilter] = useState<{ actor?: string; target?: string }>({});
  const events = useAsync(() => api.governance.audit({ ...filter, limit: 200 }), [api, filter]);
  const verify = useAsync<AuditVerifyResponse>(() => api.governance.verifyAudit(), [api]);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ ...(actor.trim() === '' ? {} : { actor: actor.trim() }), ...(target.trim() === '' ? {} : { target: target.trim() }) });
  };
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <div id="audit-chain" role="status">
        {verify.data === undefined && verify.error === undefined && <Loading what="the chain verification" />}
        {verify.error !== undefined && <ErrorNote error={verify.error} title="Could not verify the audit chain" />}
        {verify.data !== undefined &&
          (verify.data.ok ? (
            <p className="ok">
              Chain verified: {verify.data.checked} events, unbroken. <span className="muted small mono">head {verify.data.head.slice(0, 16)}…</span>
            </p>
          ) : (
            <p className="flag">
              Chain broken at event {verify.data.broken?.seq}: {verify.data.broken?.reason}
            </p>
          ))}
        <button type="button" className="secondary" onClick={verify.reload}>
          Verify again
        </button>
      </div>
      <form className="inline" onSubmit={apply} aria-label="Audit filters">
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" value={actor} onChange={(e) => setActor(e.target.value)} />
        <label htmlFor="audit-target">Target</label>
        <input id="audit-target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="credit-risk" />
        <button type="submit">Filter</button>
      </form>
      {events.error !== undefined && <ErrorNote error={events.error} title="Could not load the audit log" />}
      {events.data !== undefined && <AuditTable events={events.data} />}
    </section>
  );
}

function AuditTable({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="muted">No event matches.</p>;
  return (
    <table>
      <caption className="visually-hidden">Audit events, newest first</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">When</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.seq}>
            <th scope="row">{e.seq}</th>
            <td>{formatTime(e.at)}</td>
            <td>
              {e.actor}
              {e.role !== null && <span className="muted small"> ({e.role})</span>}
            </td>
            <td className="mono">{e.action}</td>
            <td>{e.target ?? '—'}</td>
            <td className={e.outcome === 'ok' ? undefined : 'flag'}>
              {e.outcome}
              {e.status !== null && <span className="muted small"> {e.status}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Policies() {
  const { api } = useSession();
  const policies = useAsync<PolicyRecord[]>(() => api.policies.list(), [api]);
  return (
    <section aria-labelledby="policies-heading">
      <h2 id="policies-heading">Policies</h2>
      {policies.error !== undefined && <ErrorNote error={policies.error} title="Could not load policies" />}
      {policies.data?.length === 0 && <p className="muted">No policy applied: apply one with `slipway policy apply &lt;file&gt;`.</p>}
      {policies.data !== undefined && policies.data.length > 0 && (
        <table>
          <caption className="visually-hidden">Policies in force</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Environments</th>
              <th scope="col">Rules</th>
              <th scope="col">Applied</th>
            </tr>
          </thead>
          <tbody>
            {policies.data.map((p) => {
              const r = p.document.rules;
              return (
                <tr key={p.name}>
                  <th scope="row">
                    {p.name} <span className="muted small">v{p.version}</span>
                    {p.document.description !== undefined && <div className="muted small">{p.document.description}</div>}
                  </th>
                  <td>{p.document.environments.join(', ')}</td>
                  <td>
                    <ul className="features">
                      {r.prohibitedFeatures !== undefined && <li>prohibited features</li>}
                      {r.evidence !== undefined && <li>evidence required</li>}
                      {r.fairness !== undefined && <li>fairness: disparate impact ≥ {r.fairness.threshold}</li>}
                      {r.approvals !== undefined && <li>{r.approvals.required} approval(s)</li>}
                    </ul>
                  </td>
                  <td>
                    {formatTime(p.createdAt)} <span className="muted small">by {p.actor}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ComplianceReport() {
  const { api } = useSession();
  const pipelines = useAsync(() => api.listPipelines(), [api]);
  const [ref, setRef] = useState<string>();
  const [error, setError] = useState<string>();
  const chosen = ref ?? (pipelines.data?.[0] === undefined ? undefined : `${pipelines.data[0].name}:v${pipelines.data[0].latestVersion}`);
  async function open(event: FormEvent) {
    event.preventDefault();
    if (chosen === undefined) return;
    // Opened first, while the click still counts as a user gesture; filled when the report arrives.
    const tab = window.open('', '_blank');
    try {
      const html = await api.policies.report(chosen, 'html');
      const url = URL.createObjectURL(new Blob([new TextDecoder().decode(html)], { type: 'text/html' }));
      if (tab === null) window.location.assign(url);
      else tab.location.href = url;
      setError(undefined);
    } catch (err) {
      tab?.close();
      setError(describeError(err));
    }
  }
  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">Compliance report</h2>
      {pipelines.error !== undefined && <ErrorNote error={pipelines.error} />}
      {pipelines.data !== undefined && (
        <form className="inline" onSubmit={(e) => void open(e)}>
          <label htmlFor="report-ref">Version</label>
          <select id="report-ref" value={chosen} onChange={(e) => setRef(e.target.value)}>
            {pipelines.data.flatMap((p) =>
              Array.from({ length: p.latestVersion }, (_, i) => p.latestVersion - i).map((v) => (
                <option key={`${p.name}:v${v}`} value={`${p.name}:v${v}`}>
                  {p.name}:v{v}
                </option>
              )),
            )}
          </select>
          <button type="submit">Open compliance report</button>
          {error !== undefined && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
