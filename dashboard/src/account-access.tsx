import { useState } from 'preact/hooks';
import { useLoad } from './use-read';
import { api, failureText, saveToken } from './api';

// The pages a person reaches without a session: "Forgot password?", a reset link, an invitation.

const value = (event: SubmitEvent, name: string) => String(new FormData(event.currentTarget as HTMLFormElement).get(name) ?? '');

/** Asks for a reset link by email; the answer is the same whether or not an account has the address. */
export function ForgotPassword() {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState('');
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    try {
      await api('/auth/send-password-reset-link', { method: 'POST', body: { email: value(event, 'email') } });
      setSent(true);
      setError('');
    } catch (failure) {
      setError(failureText(failure, 'Could not ask for a link'));
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit}>
        <h1>Forgot your password?</h1>
        {sent ? (
          <p role="status" class="notice">
            If an account has this address, a link to choose a new password is on its way. It works once, for one hour. No mail? Ask an admin for a reset link.
          </p>
        ) : (
          <>
            <label>
              Email address
              <input name="email" type="email" autoComplete="email" required maxLength={254} />
            </label>
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit">Send me a link</button>
          </>
        )}
        <p>
          <a href="#/">Back to sign-in</a>
        </p>
      </form>
    </main>
  );
}

/** Chooses a new password with a reset link's secret. */
export function ResetPassword({ secret }: { secret: string }) {
  const [done, setDone] = useState(false);
  const [error, setError] = useState('');
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const password = value(event, 'password');
    if (password !== value(event, 'again')) return setError('The two passwords differ.');
    try {
      await api('/auth/reset-password-with-token', { method: 'POST', body: { password }, bearer: secret });
      setDone(true);
    } catch (failure) {
      setError(failureText(failure, 'Could not change the password'));
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit}>
        <h1>Choose a new password</h1>
        {done ? (
          <p role="status" class="notice">
            Your password is changed; every session and API key of your account has ended. <a href="#/">Sign in</a> with the new password.
          </p>
        ) : (
          <>
            <NewPasswordFields />
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit">Change password</button>
          </>
        )}
      </form>
    </main>
  );
}

/** The two fields of a new password (typed twice). */
export function NewPasswordFields() {
  return (
    <>
      <label>
        New password
        <input name="password" type="password" autoComplete="new-password" minLength={8} maxLength={256} required />
      </label>
      <label>
        The same again
        <input name="again" type="password" autoComplete="new-password" minLength={8} maxLength={256} required />
      </label>
      <p class="hint">At least 8 characters, not a common password, not your name.</p>
    </>
  );
}

interface Invitation {
  email: string | null;
  teamName: string | null;
  role: string;
  expiresAt: string;
}

/** An invitation's page: what it is for, then an account (email, name, password), signed in at once. */
export function Signup({ secret, onSignedIn }: { secret: string; onSignedIn: () => void }) {
  const loaded = useLoad(secret, (signal) => api<Invitation>('/auth/invitation', { method: 'POST', body: { token: secret }, signal }), {
    fallback: 'This invitation cannot be read',
  });
  const invitation = loaded.data;
  const [formError, setError] = useState('');
  const error = formError || loaded.error;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const password = value(event, 'password');
    if (password !== value(event, 'again')) return setError('The two passwords differ.');
    try {
      const answer = await api<{ token: string }>('/auth/signup', {
        method: 'POST',
        body: { referrerToken: secret, email: value(event, 'email'), name: value(event, 'name'), password },
      });
      saveToken(answer.token);
      location.hash = '#/';
      onSignedIn();
    } catch (failure) {
      setError(failureText(failure, 'Could not create the account'));
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit}>
        <h1>Create your account</h1>
        {invitation && (
          <p class="notice">
            {invitation.teamName ? `You are invited to the team ${invitation.teamName}.` : 'You are invited.'} The invitation works until{' '}
            {new Date(invitation.expiresAt).toLocaleDateString()}.
          </p>
        )}
        {invitation || !error ? (
          <>
            <label>
              Email address
              <input
                name="email"
                type="email"
                autoComplete="email"
                required
                maxLength={254}
                readOnly={Boolean(invitation?.email)}
                value={invitation?.email ?? undefined}
              />
            </label>
            <label>
              Your name (optional)
              <input name="name" autoComplete="name" maxLength={100} />
            </label>
            <NewPasswordFields />
            {error && (
              <p class="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit">Create account</button>
          </>
        ) : (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p>
          <a href="#/">I have an account: sign in</a>
        </p>
      </form>
    </main>
  );
}
