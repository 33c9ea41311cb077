import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { Account } from './account';
import { api, savedToken, saveToken, sessionEnded } from './api';
import { SharedView } from './shared-view';
import { SignIn } from './sign-in';
import { readRoute, type Route } from './state';
import { Overview } from './overview';
import { WebsiteList } from './website-list';

function App() {
  const [signedIn, setSignedIn] = useState(savedToken() !== null);
  const [notice, setNotice] = useState('');
  const [route, setRoute] = useState<Route>(readRoute());
  // View-only users see no write controls (the server refuses their writes anyway).
  const [canWrite, setCanWrite] = useState(false);
  useEffect(() => {
    if (!signedIn) return;
    api<{ user: { role: string } }>('/me')
      .then((me) => setCanWrite(me.user.role !== 'view-only'))
      .catch(() => setCanWrite(false));
  }, [signedIn]);
  useEffect(() => {
    const onHash = () => setRoute(readRoute());
    const onEnded = () => {
      setNotice('Your session has ended. Sign in again.');
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
    setSignedIn(false);
  };
  return (
    <>
      <header class="bar">
        <a class="brand" href="#/">
          Analytics
        </a>
        <nav>
          <a href="#/account">Account</a>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main>
        {route.page === 'overview' && route.websiteId ? <Overview route={route} /> : route.page === 'account' ? <Account /> : <WebsiteList canWrite={canWrite} />}
      </main>
    </>
  );
}

// The page's placeholder goes; Preact renders into an empty element.
const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
