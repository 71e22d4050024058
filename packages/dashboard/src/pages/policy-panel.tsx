/**
 * A version's governance on its pipeline page: the policy verdict per environment (each
 * rule with its message and fix) and the approvals, with an Approve button for approvers.
 */
import { Permission, type VersionRecord } from '@slipway/core';
import { useState } from 'react';
import { describeError } from '../api.js';
import { ErrorNote, Loading } from '../components/status.js';
import { formatTime } from '../format.js';
import { useCan, useSession } from '../session-context.js';
import { useAsync } from '../use-async.js';

export function PolicyPanel({ version }: { version: VersionRecord }) {
  const { api } = useSession();
  const canApprove = useCan(Permission.approve);
  const ref = `${version.pipeline}:v${version.version}`;
  const state = useAsync(async () => {
    const [check, approvals] = await Promise.all([api.policies.check(ref), api.policies.approvals(ref)]);
    return { check, approvals };
  }, [api, ref]);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();

  async function approve() {
    try {
      const answer = await api.policies.approve(ref);
      setResult({ ok: true, text: answer.created ? `Approved ${ref}.` : `You had already approved ${ref}.` });
      state.reload();
    } catch (error) {
      setResult({ ok: false, text: describeError(error) });
    }
  }

  return (
    <section aria-labelledby="policy-heading">
      <h2 id="policy-heading">Policies and approvals of v{version.version}</h2>
      {state.error !== undefined && <ErrorNote error={state.error} title="Could not load the policy verdict" />}
      {state.data === undefined && state.error === undefined && <Loading what="the policy verdict" />}
      {state.data !== undefined && (
        <>
          {state.data.check.environments.length === 0 && <p className="muted">No policy covers any environment.</p>}
          {state.data.check.environments.map((env) => (
            <div key={env.environment}>
              <h3>
                {env.environment}: <span className={env.passed ? 'ok' : 'flag'}>{env.passed ? 'passes' : 'blocked'}</span>
              </h3>
              <ul>
                {env.rules.map((r, i) => (
                  <li key={i}>
                    <span className={r.passed ? 'ok' : 'flag'}>{r.passed ? 'pass' : 'fail'}</span> {r.policy} / {r.rule}: {r.message}
                    {r.fix !== undefined && <div className="muted small">Fix: {r.fix}</div>}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <h3>Approvals</h3>
          {state.data.approvals.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul>
              {state.data.approvals.map((a) => (
                <li key={a.approver}>
                  {a.approver} ({a.role}), {formatTime(a.createdAt)}
                  {a.comment !== '' && `: ${a.comment}`}
                </li>
              ))}
            </ul>
          )}
          {canApprove && (
            <button type="button" onClick={() => void approve()}>
              Approve {ref}
            </button>
          )}
          {result !== undefined && (
            <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'ok' : 'error'}>
              {result.text}
            </p>
          )}
        </>
      )}
    </section>
  );
}
