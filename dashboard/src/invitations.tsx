import { useEffect, useState } from 'preact/hooks';
import { api, failureText } from './api';
import { CopyButton } from './copy-button';
import { resetForm } from './reset-form';

interface Invitation {
  id: string;
  email: string | null;
  role: string;
  teamRole: string | null;
  expiresAt: string;
}

// Least privileged first, each list's default marked (see reset-form.ts).
const roles = { 'view-only': 'View only', user: 'User', admin: 'Admin' } as const;
const teamRoles = { 'team-view-only': 'View only', 'team-member': 'Member', 'team-manager': 'Manager' } as const;

/**
 * Invitations: to the instance (admins, with a role) or to one team (its owners and managers, with
 * a team role). Each makes a link that works once for 7 days, mailed when an address is given and
 * the collector has SMTP; the link is shown either way, to hand over.
 */
export function Invitations({ teamId }: { teamId?: string }) {
  const base = teamId ? `/teams/${teamId}/invitations` : '/invitations';
  const [list, setList] = useState<Invitation[] | null>(null);
  const [created, setCreated] = useState<{ url: string; sent: boolean; email: string | null } | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    api<{ data: Invitation[] }>(base)
      .then(({ data }) => setList(data))
      .catch((failure) => setError(failureText(failure, 'Could not load the invitations')));
  useEffect(() => void load(), [base]);

  const invite = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const email = String(fields.get('email') ?? '').trim();
    const body = teamId ? { email, teamRole: fields.get('teamRole') } : { email, role: fields.get('role') };
    try {
      const answer = await api<{ url: string; sent: boolean; email: string | null }>(teamId ? base : '/invitations', { method: 'POST', body });
      setCreated(answer);
      setError('');
      resetForm(form);
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not invite'));
    }
  };
  const revoke = async (invitation: Invitation) => {
    try {
      await api(`/invitations/${invitation.id}`, { method: 'DELETE' });
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not revoke the invitation'));
    }
  };

  return (
    <div class={teamId ? 'invitations' : 'card invitations'}>
      {teamId ? <h3>Invitations</h3> : <h2>Invitations</h2>}
      <form class="inline" onSubmit={invite}>
        <label>
          Email address (optional)
          <input name="email" type="email" maxLength={254} autoComplete="off" />
        </label>
        <label>
          {teamId ? 'Team role' : 'Role'}
          <select name={teamId ? 'teamRole' : 'role'}>
            {Object.entries(teamId ? teamRoles : roles).map(([value, label]) => {
              const preferred = value === (teamId ? 'team-member' : 'user');
              return (
                <option value={value} selected={preferred} data-default={preferred ? '' : undefined}>
                  {label}
                </option>
              );
            })}
          </select>
        </label>
        <button type="submit">Invite</button>
      </form>
      {created && (
        <p class="notice invitation-link" role="status">
          {created.sent ? `Mailed to ${created.email}. ` : 'Hand over this link (it works once, for 7 days): '}
          <code>{created.url}</code> <CopyButton text={created.url} label="Copy the invitation link" />
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list === null ? (
        <p class="loading-inline">Loading…</p>
      ) : list.length === 0 ? (
        <p class="muted">No open invitations.</p>
      ) : (
        <ul class="open-invitations">
          {list.map((invitation) => (
            <li key={invitation.id}>
              {invitation.email ?? 'Link without an address'} ·{' '}
              {invitation.teamRole ? teamRoles[invitation.teamRole as keyof typeof teamRoles] : roles[invitation.role as keyof typeof roles]} · until{' '}
              {new Date(invitation.expiresAt).toLocaleDateString()}{' '}
              <button type="button" class="link danger" onClick={() => revoke(invitation)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
