/**
 * Signing in: the token is checked against the server (listing pipelines needs only
 * `read`) before it is kept, so a wrong one is refused here with the server's reason.
 */
import { type FormEvent, useState } from 'react';
import { createDashboardApi, describeError, isUnauthenticated } from '../api.js';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (token: string) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setError('Enter an API token: `slipway server` prints the admin token on first start (also in the data directory as admin-token).');
      return;
    }
    setBusy(true);
    try {
      await createDashboardApi(value).listPipelines();
      onSignedIn(value);
    } catch (err) {
      setError(isUnauthenticated(err) ? `The server refused this token: ${describeError(err)}. Check it, or ask an admin for a new one.` : describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Slipway</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby="sign-in-help">
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} aria-invalid={error !== undefined} aria-errormessage={error === undefined ? undefined : 'sign-in-error'} />
        <p id="sign-in-help" className="muted">
          Kept for this browser tab only.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== undefined && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
