import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { AccountPage } from './screens/AccountPage.tsx';
import { AddCompany } from './screens/AddCompany.tsx';
import { ApiKeys } from './screens/ApiKeys.tsx';
import { AuditLog } from './screens/AuditLog.tsx';
import { Companies } from './screens/Companies.tsx';
import { CompanyPage } from './screens/CompanyPage.tsx';
import { Events } from './screens/Events.tsx';
import { SignIn } from './screens/SignIn.tsx';
import { StaffPage } from './screens/StaffPage.tsx';
import { Webhooks } from './screens/Webhooks.tsx';
import { expired, loadSession, restricted, type Session, saveSession } from './session.ts';
import './styles.css';

export interface SessionProps {
  session: Session;
  setSession: (session: Session | null) => void;
}

/** The partner's staff may manage staff and keys only as owner or admin (SPEC §7). */
export const managesStaff = (session: Session) =>
  session.kind === 'partner' && (session.role === 'owner' || session.role === 'admin');

function home(session: Session | null): string {
  if (!session) return '/';
  if (session.kind === 'partner') return '/companies';
  if (session.kind === 'companyAdmin') return `/companies/${session.companyId}`;
  return '/me';
}

function Nav({ session, setSession }: SessionProps) {
  const partner = session.kind === 'partner';
  return (
    <header>
      <nav aria-label="Main">
        <span class="brand">Backup portal</span>
        {partner && <a href="/companies">Companies</a>}
        {partner && <a href="/audit">Audit Log</a>}
        {partner && <a href="/events">Events</a>}
        {managesStaff(session) && <a href="/webhooks">Webhooks</a>}
        {managesStaff(session) && <a href="/api-keys">API Keys</a>}
        {managesStaff(session) && <a href="/staff">Staff</a>}
        {session.kind === 'companyAdmin' && !session.resume && (
          <a href={`/companies/${session.companyId}`}>Company</a>
        )}
        <span class="who">{session.label}</span>
        <button type="button" class="secondary" onClick={() => setSession(null)}>
          Sign out
        </button>
      </nav>
      {session.resume && (
        <div class="banner" role="status">
          <button
            type="button"
            class="link"
            onClick={() => {
              const resumed = session.resume as Session;
              setSession(resumed);
            }}
          >
            Click here to resume session as {session.resume.partnerName ?? session.resume.label}
          </button>
        </div>
      )}
    </header>
  );
}

function App() {
  const [session, setSessionState] = useState<Session | null>(loadSession);
  const { route, path } = useLocation();
  const setSession = (next: Session | null) => {
    saveSession(next);
    setSessionState(next);
    route(home(next));
  };

  // Sessions end on expiry: checked every few seconds and whenever the API says 401.
  useEffect(() => {
    // An impersonation that ends (one hour at most) hands back the partner's own session.
    const end = () => {
      const resume = session?.resume;
      setSession(resume && !expired(resume) ? resume : null);
    };
    const timer = setInterval(() => {
      if (session && expired(session)) end();
    }, 5000);
    window.addEventListener('portal:unauthorized', end);
    return () => {
      clearInterval(timer);
      window.removeEventListener('portal:unauthorized', end);
    };
  });

  // Each new screen moves the focus to its heading, as a full page load would for a screen reader.
  useEffect(() => {
    document.getElementById('page-title')?.focus();
  }, [path]);

  if (!session || restricted(session)) {
    return (
      <main>
        <SignIn session={session} setSession={setSession} />
      </main>
    );
  }
  const props = { session, setSession };
  return (
    <>
      <Nav {...props} />
      {/* A new session (impersonation, resume) starts every screen afresh: no state carries over. */}
      <main key={session.token}>
        <Router>
          <Route path="/companies" component={Companies} {...props} />
          <Route path="/companies/new" component={AddCompany} {...props} />
          <Route path="/companies/:id" component={CompanyPage} {...props} />
          <Route path="/audit" component={AuditLog} {...props} />
          {/* The feed is the partner's (SPEC §9): company admins and backup users go home. */}
          <Route
            path="/events"
            component={session.kind === 'partner' ? Events : () => <Redirect to={home(session)} />}
            {...props}
          />
          <Route path="/api-keys" component={ApiKeys} {...props} />
          <Route path="/webhooks" component={Webhooks} {...props} />
          <Route path="/staff" component={StaffPage} {...props} />
          <Route path="/me" component={AccountPage} {...props} />
          <Route default component={() => <Redirect to={home(session)} />} />
        </Router>
      </main>
    </>
  );
}

function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to, route]);
  return null;
}

render(
  <LocationProvider>
    <App />
  </LocationProvider>,
  document.getElementById('app') as HTMLElement,
);
