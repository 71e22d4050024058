/**
 * Alerts and incidents: incidents filtered by state, severity and experience area; one
 * incident's alerts and timeline; acknowledge, note and resolve for roles that operate.
 */
import { ApiPaths, type IncidentRecord, type IncidentsResponse, type IncidentView, Permission } from '@slipway/core';
import { useState } from 'react';
import { describeError } from '../api.js';
import { ErrorNote, Loading } from '../components/status.js';
import { formatTime } from '../format.js';
import { useCan, useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';

const SEVERITIES = ['critical', 'warning', 'info'] as const;
const AREAS = ['business', 'technical_operations', 'data_operations', 'users'] as const;
const STATES = ['open', 'acknowledged', 'resolved'] as const;

export function IncidentsPage() {
  const { api } = useSession();
  const [state, setState] = useState('');
  const [severity, setSeverity] = useState('');
  const [area, setArea] = useState('');
  const [selected, setSelected] = useState<string>();
  const list = useAsync(() => api.get<IncidentsResponse>(`${ApiPaths.incidents}${state === '' ? '' : `?state=${state}`}`), [api, state], 10_000);
  const incidents = (list.data?.incidents ?? []).filter((i) => (severity === '' || i.severity === severity) && (area === '' || i.areas.includes(area as IncidentRecord['areas'][number])));
  return (
    <>
      <h1>Incidents</h1>
      <div className="toolbar" role="group" aria-label="Filters">
        <Filter id="filter-state" label="State" value={state} options={STATES} onChange={setState} />
        <Filter id="filter-severity" label="Severity" value={severity} options={SEVERITIES} onChange={setSeverity} />
        <Filter id="filter-area" label="Experience area" value={area} options={AREAS} onChange={setArea} />
      </div>
      {list.error !== undefined && <ErrorNote error={list.error} title="Could not load incidents" />}
      {list.data === undefined && list.error === undefined && <Loading what="incidents" />}
      {list.data !== undefined &&
        (incidents.length === 0 ? (
          <p className="muted">No incident matches these filters.</p>
        ) : (
          <table>
            <caption className="visually-hidden">Incidents, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Pipeline</th>
                <th scope="col">Severity</th>
                <th scope="col">Areas</th>
                <th scope="col">State</th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {incidents.map((i) => (
                <tr key={i.id} aria-selected={i.id === selected}>
                  <th scope="row">
                    <button type="button" className="link" onClick={() => setSelected(i.id)} aria-expanded={i.id === selected}>
                      {i.title}
                    </button>
                  </th>
                  <td>{i.pipeline}</td>
                  <td className={i.severity === 'critical' ? 'flag' : undefined}>{i.severity}</td>
                  <td>{i.areas.join(', ')}</td>
                  <td>{i.state}</td>
                  <td>{formatTime(i.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {selected !== undefined && <IncidentDetail key={selected} id={selected} onChanged={list.reload} />}
    </>
  );
}

function Filter({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: readonly string[]; onChange: (v: string) => void }) {
  return (
    <span>
      <label htmlFor={id}>{label} </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
    </span>
  );
}

function IncidentDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { api } = useSession();
  const canOperate = useCan(Permission.operate);
  const view = useAsync(() => api.get<IncidentView>(ApiPaths.incident(id)), [api, id]);
  const [note, setNote] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string }>();

  async function act(action: 'ack' | 'resolve' | 'notes', body: object) {
    try {
      await api.post(`${ApiPaths.incident(id)}/${action}`, body);
      setResult({ ok: true, text: action === 'ack' ? 'Acknowledged.' : action === 'resolve' ? 'Resolved.' : 'Note added.' });
      setNote('');
      view.reload();
      onChanged();
    } catch (error) {
      setResult({ ok: false, text: describeError(error) });
    }
  }

  if (view.data === undefined) return view.error !== undefined ? <ErrorNote error={view.error} /> : <Loading what="the incident" />;
  const { incident, alerts, timeline } = view.data;
  return (
    <section aria-labelledby="incident-heading" className="panel">
      <h2 id="incident-heading">{incident.title}</h2>
      <p>
        <span className="tag">{incident.severity}</span> <span className="tag">{incident.state}</span> {incident.pipeline}
        {incident.deployment !== null && ` / ${incident.deployment}`}, owner {incident.owner ?? 'nobody'}
      </p>
      {canOperate && incident.state !== 'resolved' && (
        <form className="inline" onSubmit={(e) => (e.preventDefault(), void act('notes', { text: note }))}>
          <label htmlFor="incident-note">Note</label>
          <input id="incident-note" value={note} onChange={(e) => setNote(e.target.value)} />
          <button type="submit" disabled={note.trim() === ''}>
            Add note
          </button>
          {incident.state === 'open' && (
            <button type="button" onClick={() => void act('ack', note.trim() === '' ? {} : { note })}>
              Acknowledge
            </button>
          )}
          <button type="button" className="secondary" onClick={() => void act('resolve', note.trim() === '' ? {} : { note })}>
            Resolve
          </button>
        </form>
      )}
      {result !== undefined && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'ok' : 'error'}>
          {result.text}
        </p>
      )}
      <h3>Alerts</h3>
      <ul>
        {alerts.map((a) => (
          <li key={a.id}>
            <strong>{a.ruleName}</strong> ({a.severity}, {a.state}): {a.summary}
          </li>
        ))}
      </ul>
      <h3>Timeline</h3>
      <ol className="timeline">
        {timeline.map((e) => (
          <li key={e.seq}>
            <time dateTime={e.at}>{formatTime(e.at)}</time> <span className="tag">{e.kind.replace(/_/g, ' ')}</span> {e.message} <span className="muted small">by {e.actor}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
