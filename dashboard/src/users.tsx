import { useEffect, useState } from 'preact/hooks';
import { resetForm } from './reset-form';
import { api, failureText, type Me } from './api';
import { CopyButton } from './copy-button';
import { ImportPanel } from './import-panel';
import { Invitations } from './invitations';

interface User {
  id: string;
  username: string;
  role: string;
  createdAt: string;
  twoFactorEnabled: boolean;
}

// Least privileged first: a select that falls back to its first option falls back to the weakest role.
const roles = { 'view-only': 'View only', user: 'User', admin: 'Admin' } as const;

/** For admins: every user; create one, change a role, reset a password, clear two-factor, delete. */
export function Users({ me }: { me: Me }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [resetting, setResetting] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [resetLink, setResetLink] = useState<{ username: string; url: string; sent: boolean } | null>(null);
  const load = () =>
    api<{ data: User[] }>('/admin/users?pageSize=100')
      .then(({ data }) => setUsers(data))
      .catch((failure) => setMessage({ ok: false, text: failureText(failure, 'Could not load the users') }));
  useEffect(() => void load(), []);

  const attempt = async (action: () => Promise<unknown>, done: string, fallback: string) => {
    try {
      await action();
      setMessage(done ? { ok: true, text: done } : null);
      await load();
      return true;
    } catch (failure) {
      setMessage({ ok: false, text: failureText(failure, fallback) });
      return false;
    }
  };
  const fields = (event: SubmitEvent) => {
    event.preventDefault();
    return new FormData(event.currentTarget as HTMLFormElement);
  };
  const create = async (event: SubmitEvent) => {
    const form = event.currentTarget as HTMLFormElement;
    const f = fields(event);
    const body = { username: f.get('username'), password: f.get('password'), role: f.get('role') };
    if (await attempt(() => api('/users', { method: 'POST', body }), `User ${String(body.username)} created.`, 'Could not create the user')) resetForm(form);
  };
  const resetPassword = async (event: SubmitEvent, user: User) => {
    const password = fields(event).get('password');
    if (
      await attempt(
        () => api(`/users/${user.id}`, { method: 'POST', body: { password } }),
        `New password set for ${user.username}; their sessions have ended.`,
        'Could not reset the password',
      )
    ) {
      setResetting(null);
    }
  };
  /** A reset link for the user: mailed when they have an address and SMTP is set, shown here either way. */
  const makeResetLink = async (user: User) => {
    try {
      const answer = await api<{ url: string; sent: boolean }>(`/users/${user.id}/reset-link`, { method: 'POST' });
      setResetLink({ username: user.username, ...answer });
      setMessage(null);
    } catch (failure) {
      setMessage({ ok: false, text: failureText(failure, 'Could not make a reset link') });
    }
  };
  const remove = (user: User) => {
    if (!confirm(`Delete the user "${user.username}"? Their sessions and API keys end at once.`)) return;
    void attempt(() => api(`/users/${user.id}`, { method: 'DELETE' }), `User ${user.username} deleted.`, 'Could not delete the user');
  };

  return (
    <section>
      <h1>Users</h1>
      {message && (
        <p class={message.ok ? 'notice' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {resetLink && (
        <p class="notice invitation-link" role="status">
          {resetLink.sent ? `Reset link mailed to ${resetLink.username}; also here: ` : `Reset link for ${resetLink.username} (works once, for one hour): `}
          <code>{resetLink.url}</code> <CopyButton text={resetLink.url} label="Copy the reset link" />
        </p>
      )}
      <div class="card wide" aria-busy={users === null}>
        {users === null ? (
          <p class="loading-inline">Loading…</p>
        ) : (
          <table class="keys users">
            <thead>
              <tr>
                <th>Username</th>
                <th>Role</th>
                <th>Two-factor</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} data-user={user.username}>
                  <td>{user.username}</td>
                  <td>
                    <select
                      aria-label={`Role of ${user.username}`}
                      value={user.role}
                      disabled={user.id === me.id}
                      onChange={(e) =>
                        attempt(
                          () => api(`/users/${user.id}`, { method: 'POST', body: { role: (e.currentTarget as HTMLSelectElement).value } }),
                          `${user.username}'s role changed.`,
                          'Could not change the role',
                        )
                      }
                    >
                      {Object.entries(roles).map(([value, label]) => (
                        <option value={value}>{label}</option>
                      ))}
                    </select>
                  </td>
                  <td data-label="Two-factor: ">
                    {user.twoFactorEnabled ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() =>
                          confirm(`Turn off two-factor sign-in for ${user.username} (a lost phone)?`) &&
                          attempt(
                            () => api(`/users/${user.id}/2fa`, { method: 'DELETE' }),
                            `Two-factor sign-in is off for ${user.username}.`,
                            'Could not turn it off',
                          )
                        }
                      >
                        On (turn off)
                      </button>
                    ) : (
                      'Off'
                    )}
                  </td>
                  <td>{new Date(user.createdAt).toLocaleDateString()}</td>
                  <td class="actions">
                    {resetting === user.id ? (
                      <form class="inline" onSubmit={(e) => resetPassword(e, user)}>
                        <input
                          name="password"
                          type="password"
                          aria-label={`New password for ${user.username}`}
                          autoComplete="new-password"
                          minLength={8}
                          required
                        />
                        <button type="submit">Set</button>
                        <button type="button" class="link" onClick={() => setResetting(null)}>
                          Cancel
                        </button>
                      </form>
                    ) : (
                      <>
                        <button type="button" class="link" onClick={() => setResetting(user.id)}>
                          Set password…
                        </button>
                        <button type="button" class="link" onClick={() => makeResetLink(user)}>
                          Reset link
                        </button>
                      </>
                    )}
                    {user.id !== me.id && (
                      <button type="button" class="link danger" onClick={() => remove(user)}>
                        Delete…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <Invitations />
      <ImportPanel />
      <form class="card inline" onSubmit={create}>
        <h2 class="full">Add a user</h2>
        <p class="full hint">They choose their own password at their first sign-in. To let them choose it from the start, invite them instead.</p>
        <label>
          Username
          <input name="username" required maxLength={255} autoComplete="off" />
        </label>
        <label>
          Password
          <input name="password" type="password" required minLength={8} autoComplete="new-password" />
        </label>
        <label>
          Role
          <select name="role">
            {Object.entries(roles).map(([value, label]) => (
              <option value={value} selected={value === 'user'} data-default={value === 'user' ? '' : undefined}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Add user</button>
      </form>
    </section>
  );
}
