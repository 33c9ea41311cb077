import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, failureText, savedToken, saveToken, sessionEnded, type Me, type SetupStep } from './api';
import { ForgotPassword, ResetPassword, Signup } from './account-access';
import { SharedView } from './shared-view';
import { SignIn } from './sign-in';
import { readRoute, type Route, type SettingsPage } from './state';
import { Overview } from './overview';
import { WebsiteList } from './website-list';

type Settings = typeof import('./settings');

/** The settings pages' chunk, fetched once on first use. */
function useSettings(wanted: boolean): { module: Settings | null; error: string } {
  const [state, setState] = useState<{ module: Settings | null; error: string }>({ module: null, error: '' });
  useEffect(() => {
    if (!wanted || state.module) return;
    import('./settings').then(
      (module) => setState({ module, error: '' }),
      () => setState({ module: null, error: 'This page could not be loaded. Check your connection and reload.' }),
    );
  }, [wanted]);
  return state;
}

function SettingsView({ route, me, settings }: { route: Route; me: Me; settings: ReturnType<typeof useSettings> }) {
  if (settings.error) {
    return (
      <p class="error" role="alert">
        {settings.error}
      </p>
    );
  }
  if (!settings.module) return <p class="loading">Loading…</p>;
  const { Account, CountingRules, Reports, Teams, Users, VisitorsPage } = settings.module;
  const page = route.page as SettingsPage | 'rules' | 'reports' | 'visitors';
  if (page === 'visitors' && route.websiteId) return <VisitorsPage route={route} />;
  if (page === 'rules' && route.websiteId) return <CountingRules websiteId={route.websiteId} />;
  if (page === 'reports' && route.websiteId) return <Reports route={route} />;
  if (page === 'teams') return <Teams me={me} />;
  if (page === 'users') return me.role === 'admin' ? <Users me={me} /> : <p class="error">Only admins manage users.</p>;
  return <Account />;
}

function App() {
  const [signedIn, setSignedIn] = useState(savedToken() !== null);
  const [notice, setNotice] = useState('');
  const [route, setRoute] = useState<Route>(readRoute());
  const [me, setMe] = useState<Me | null>(null);
  const [setup, setSetup] = useState<SetupStep>(null);
  const [meError, setMeError] = useState('');
  const settings = useSettings(signedIn && (setup !== null || (route.page !== 'websites' && route.page !== 'overview' && route.page !== 'share')));
  const loadMe = () =>
    api<{ user: Me; setupRequired: SetupStep }>('/me')
      .then((answer) => {
        setMe(answer.user);
        setSetup(answer.setupRequired);
      })
      .catch((failure) => setMeError(failureText(failure, 'Could not read your account')));
  useEffect(() => {
    if (signedIn) void loadMe();
  }, [signedIn]);
  useEffect(() => {
    const onHash = () => setRoute(readRoute());
    const onEnded = () => {
      setNotice('Your session has ended. Sign in again.');
      setMe(null);
      setSignedIn(false);
    };
    addEventListener('hashchange', onHash);
    sessionEnded.add(onEnded);
    return () => {
      removeEventListener('hashchange', onHash);
      sessionEnded.delete(onEnded);
    };
  }, []);
  if (route.page === 'share') return <SharedView route={route} />;
  if (route.page === 'signup' && route.secret) return <Signup secret={route.secret} onSignedIn={() => setSignedIn(true)} />;
  if (route.page === 'reset' && route.secret) return <ResetPassword secret={route.secret} />;
  if (!signedIn && route.page === 'forgot') return <ForgotPassword />;
  if (!signedIn) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={() => {
          setNotice('');
          setSignedIn(true);
        }}
      />
    );
  }
  const signOut = async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => {});
    saveToken(null);
    setMe(null);
    setSetup(null);
    setSignedIn(false);
  };
  const current = (page: Route['page']) => (route.page === page ? 'page' : undefined);
  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/">
          Analytics
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={current('websites')}>
            Websites
          </a>
          <a href="#/teams" aria-current={current('teams')}>
            Teams
          </a>
          {me?.role === 'admin' && (
            <a href="#/users" aria-current={current('users')}>
              Users
            </a>
          )}
          <a href="#/account" aria-current={current('account')}>
            Account
          </a>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main>
        {meError ? (
          <p class="error" role="alert">
            {meError}
          </p>
        ) : setup && settings.module ? (
          <settings.module.SetupStep step={setup} onDone={loadMe} />
        ) : setup ? (
          <p class="loading">Loading…</p>
        ) : route.page === 'overview' && route.websiteId ? (
          <Overview route={route} canWrite={me !== null && me.role !== 'view-only'} />
        ) : route.page === 'websites' ? (
          <WebsiteList canWrite={me !== null && me.role !== 'view-only'} />
        ) : me ? (
          <SettingsView route={route} me={me} settings={settings} />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </main>
    </>
  );
}

// The page's placeholder goes; Preact renders into an empty element.
const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
