/**
 * The playground: a form generated from the version's features (or its model inputs),
 * which runs the version through `POST /v1/runs` and shows the outputs. Hidden for
 * tokens that may not run.
 */
import { Permission, type RunResponse, type VersionRecord } from '@slipway/core';
import { type FormEvent, useMemo, useState } from 'react';
import { describeError } from '../api.js';
import { formatMs } from '../format.js';
import { type FieldIssue, type FormValues, initialValues, type PlaygroundField, playgroundFields, runInputs } from '../playground-form.js';
import { useCan, useSession } from '../session-context.js';

export function Playground({ version }: { version: VersionRecord }) {
  const { api } = useSession();
  const canRun = useCan(Permission.run);
  const fields = useMemo(() => playgroundFields(version), [version]);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [result, setResult] = useState<{ ok: true; response: RunResponse } | { ok: false; error: string }>();
  const [busy, setBusy] = useState(false);
  const ref = `${version.pipeline}:v${version.version}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const built = runInputs(fields, values);
    if (!built.ok) {
      setIssues(built.issues);
      return;
    }
    setIssues([]);
    setBusy(true);
    try {
      setResult({ ok: true, response: await api.run({ pipeline: ref, inputs: built.inputs }) });
    } catch (error) {
      setResult({ ok: false, error: describeError(error) });
    } finally {
      setBusy(false);
    }
  }

  if (!canRun) {
    return (
      <section aria-labelledby="playground-heading" className="panel">
        <h2 id="playground-heading">Playground</h2>
        <p className="muted">Running a pipeline needs the run permission, which your role does not grant.</p>
      </section>
    );
  }
  const issueOf = (name: string) => issues.find((i) => i.field === name);
  return (
    <section aria-labelledby="playground-heading" className="panel">
      <h2 id="playground-heading">Playground</h2>
      <p className="muted small">Runs {ref} with these inputs.</p>
      <form onSubmit={(e) => void submit(e)} className="playground">
        {fields.map((f) => (
          <Field key={f.name} field={f} value={values[f.name] ?? ''} issue={issueOf(f.name)} onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))} />
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Running…' : 'Run'}
        </button>
      </form>
      <div id="playground-output" aria-live="polite">
        {result?.ok === false && (
          <p className="error" role="alert">
            The run failed: {result.error}
          </p>
        )}
        {result?.ok === true && <RunOutput response={result.response} />}
      </div>
    </section>
  );
}

function Field({ field, value, issue, onChange }: { field: PlaygroundField; value: string; issue: FieldIssue | undefined; onChange: (value: string) => void }) {
  const id = `field-${field.name}`;
  const describedBy = [field.description === undefined ? undefined : `${id}-help`, issue === undefined ? undefined : `${id}-issue`].filter((s) => s !== undefined).join(' ') || undefined;
  const common = { id, name: field.name, 'aria-describedby': describedBy, 'aria-invalid': issue !== undefined };
  let control;
  switch (field.kind) {
    case 'numeric':
      control = <input {...common} type="number" step="any" inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'boolean':
      control = <input {...common} type="checkbox" checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} />;
      break;
    case 'categorical':
      control = (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'tensor':
      control = <textarea {...common} rows={3} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} />;
      break;
  }
  return (
    <div className={`field ${field.kind}`}>
      <label htmlFor={id}>{field.name}</label>
      {control}
      {field.description !== undefined && (
        <span id={`${id}-help`} className="muted small">
          {field.description}
        </span>
      )}
      {issue !== undefined && (
        <span id={`${id}-issue`} className="error small">
          {issue.message}
        </span>
      )}
    </div>
  );
}

function RunOutput({ response }: { response: RunResponse }) {
  return (
    <div className="run-output">
      <h3>Output of {response.ref}</h3>
      {response.predictions?.map((p, i) => (
        <div key={i} className="prediction">
          <p>
            Prediction: <strong className="label">{p.label}</strong>
          </p>
          <ul className="probabilities">
            {Object.entries(p.probabilities).map(([label, probability]) => (
              <li key={label}>
                <label htmlFor={`probability-${i}-${label}`}>
                  {label}: {(probability * 100).toFixed(1)}%
                </label>
                <meter id={`probability-${i}-${label}`} min={0} max={1} value={probability} />
              </li>
            ))}
          </ul>
        </div>
      ))}
      <details open={response.predictions === undefined}>
        <summary>Raw outputs</summary>
        <pre>{JSON.stringify(response.outputs, null, 2)}</pre>
      </details>
      <p className="muted small">
        Run {response.id} took {formatMs(response.timings.totalMs)}.
      </p>
    </div>
  );
}
