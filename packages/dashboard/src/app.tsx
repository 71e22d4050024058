/**
 * The dashboard's shell: signs in (token in sessionStorage), learns what the token may do,
 * and renders the page the address names inside the header and navigation.
 */
import { useEffect, useMemo, useState } from 'react';
import { createDashboardApi, describeError, isUnauthenticated } from './api.js';
import { Link, navigate, useRoute } from './router.js';
import { loadToken, clearToken, saveToken } from './session.js';
import { type Session, SessionContext } from './session-context.js';
import { Overview } from './pages/overview.js';
import { DeploymentsPage } from './pages/deployments.js';
import { GovernancePage } from './pages/governance.js';
import { IncidentsPage } from './pages/incidents.js';
import { MonitoringPage } from './pages/monitoring.js';
import { PipelinePage } from './pages/pipeline.js';
import { SignIn } from './pages/sign-in.js';
import { useIdentity } from './identity.js';
import { ErrorNote, Loading } from './components/status.js';
import { type Route, routePath } from './routes.js';

const NAV = [
  ['overview', 'Overview'],
  ['deployments', 'Deployments'],
  ['incidents', 'Incidents'],
  ['governance', 'Governance'],
] as const;

export function App() {
  const [token, setToken] = useState(loadToken);
  const [notice, setNotice] = useState<string>();
  if (token === undefined) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          saveToken(t);
          setNotice(undefined);
          setToken(t);
        }}
      />
    );
  }
  const signOut = (why?: string) => {
    clearToken();
    setNotice(why);
    setToken(undefined);
    navigate(window.location.pathname);
  };
  return <SignedIn token={token} signOut={signOut} />;
}

function SignedIn({ token, signOut }: { token: string; signOut: (why?: string) => void }) {
  const api = useMemo(() => createDashboardApi(token), [token]);
  const identity = useIdentity(api);
  const route = useRoute();
  // A token revoked or expired since sign-in: back to the sign-in form, saying why.
  const refused = identity.state === 'failed' && isUnauthenticated(identity.error);
  useEffect(() => {
    if (refused) signOut(`Signed out: ${describeError(identity.state === 'failed' ? identity.error : undefined)}`);
  }, [refused, signOut, identity]);
  const session: Session | undefined = identity.state === 'ready' ? { api, ...identity.identity } : undefined;
  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          Slipway
        </Link>
        <nav aria-label="Main">
          {NAV.map(([page, label]) => (
            <Link key={page} to={routePath({ page })} aria-current={route.page === page ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <span className="who">{session?.principal === undefined ? 'signed in' : `${session.principal.name} (${session.principal.roles.join(', ')})`}</span>
        <button type="button" className="secondary" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        {identity.state === 'loading' && <Loading what="your session" />}
        {identity.state === 'failed' && <ErrorNote error={identity.error} title="Could not load your session" />}
        {session !== undefined && (
          <SessionContext.Provider value={session}>
            <Page route={route} />
          </SessionContext.Provider>
        )}
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'pipeline':
      return <PipelinePage name={route.name} />;
    case 'monitoring':
      return <MonitoringPage name={route.name} />;
    case 'deployments':
      return <DeploymentsPage />;
    case 'incidents':
      return <IncidentsPage />;
    case 'governance':
      return <GovernancePage />;
    case 'not-found':
      return (
        <>
          <h1>Page not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <Link to="/">Go to the overview</Link>.
          </p>
        </>
      );
  }
}
