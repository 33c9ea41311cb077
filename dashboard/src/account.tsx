import { useEffect, useState } from 'preact/hooks';
import { resetForm } from './reset-form';
import { api, failureText } from './api';
import { TwoFactor } from './two-factor';
import { Profile } from './profile';

interface ApiKey {
  id: string;
  name: string;
  keyPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** The signed-in user's own account: profile, password, two-factor sign-in, API keys (user tokens). */
export function Account() {
  return (
    <section>
      <h1>Account</h1>
      <Profile />
      <ChangePassword />
      <TwoFactor />
      <ApiKeys />
    </section>
  );
}

function ChangePassword() {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    try {
      await api('/me/password', { method: 'POST', body: { currentPassword: fields.get('current'), newPassword: fields.get('new') } });
      resetForm(form);
      setStatus({ ok: true, text: 'Password changed. Your other sessions and API keys have ended.' });
    } catch (failure) {
      setStatus({ ok: false, text: failureText(failure, 'Could not change the password') });
    }
  };
  return (
    <form class="card" onSubmit={submit}>
      <h2>Password</h2>
      <label>
        Current password
        <input name="current" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password
        <input name="new" type="password" autoComplete="new-password" minLength={8} required />
      </label>
      {status && (
        <p class={status.ok ? 'notice' : 'error'} role={status.ok ? 'status' : 'alert'}>
          {status.text}
        </p>
      )}
      <button type="submit">Change password</button>
    </form>
  );
}

function ApiKeys() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    api<ApiKey[]>('/me/api-keys')
      .then(setKeys)
      .catch((failure) => setError(failureText(failure, 'Could not load the API keys')));
  useEffect(() => void load(), []);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const expires = String(fields.get('expires') ?? '');
    try {
      const key = await api<{ key: string }>('/me/api-keys', {
        method: 'POST',
        body: { name: fields.get('name'), keepAfterSession: true, ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}) },
      });
      setCreated(key.key);
      resetForm(form);
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not create the key'));
    }
  };
  const revoke = async (key: ApiKey) => {
    if (!confirm(`Revoke the API key "${key.name}"? Scripts using it stop working at once.`)) return;
    try {
      await api(`/me/api-keys/${key.id}`, { method: 'DELETE' });
      setCreated(null);
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not revoke the key'));
    }
  };

  return (
    <div class="card">
      <h2>API keys</h2>
      <p class="hint">Also the long-lived user tokens of /api/auth/me/create-token: one list.</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <p class="notice" role="status">
          Your new key, shown only now: <code class="new-key">{created}</code>
        </p>
      )}
      {keys === null ? (
        <p class="loading-inline">Loading…</p>
      ) : keys.length === 0 ? (
        <p class="muted">No API keys.</p>
      ) : (
        <table class="keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.keyPrefix}…</code>
                </td>
                <td>{day(key.createdAt)}</td>
                <td>{day(key.expiresAt)}</td>
                <td>{day(key.lastUsedAt)}</td>
                <td>
                  <button type="button" class="link danger" onClick={() => revoke(key)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} class="inline">
        <label>
          Key name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Expires (optional)
          <input name="expires" type="date" />
        </label>
        <button type="submit">Create key</button>
      </form>
    </div>
  );
}
