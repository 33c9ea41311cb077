import { useState } from 'preact/hooks';
import { api, saveToken, failureText } from './api';

type LoginAnswer = { token: string } | { requiresTwoFactor: true; partialToken: string };

/** Username and password, then the code when two-factor sign-in is on. */
export function SignIn({ notice, onSignedIn }: { notice: string; onSignedIn: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [partial, setPartial] = useState<string | null>(null);
  const [remember, setRemember] = useState(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      const answer = partial
        ? await api<LoginAnswer>('/2fa/verify', { method: 'POST', body: { partialToken: partial, token: form.get('code') } })
        : await api<LoginAnswer>('/auth/login', {
            method: 'POST',
            body: { username: form.get('username'), password: form.get('password'), rememberMe: remember },
          });
      if ('requiresTwoFactor' in answer) setPartial(answer.partialToken);
      else {
        saveToken(answer.token, remember);
        onSignedIn();
      }
    } catch (failure) {
      setError(failureText(failure, 'Sign-in failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-busy={busy}>
        <h1>Sign in</h1>
        {notice && <p class="notice">{notice}</p>}
        {partial ? (
          <label>
            Code from your authenticator app
            <input name="code" inputMode="numeric" autoComplete="one-time-code" required />
          </label>
        ) : (
          <>
            <label>
              Username or email
              <input name="username" autoComplete="username" required />
            </label>
            <label>
              Password
              <input name="password" type="password" autoComplete="current-password" required />
            </label>
            <label class="check">
              <input type="checkbox" checked={remember} onChange={(e) => setRemember((e.currentTarget as HTMLInputElement).checked)} />
              Remember me for 30 days
            </label>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {partial ? 'Verify' : 'Sign in'}
        </button>
        {!partial && (
          <p>
            <a href="#/forgot">Forgot password?</a>
          </p>
        )}
      </form>
    </main>
  );
}
