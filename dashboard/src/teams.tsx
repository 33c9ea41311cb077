import { useEffect, useState } from 'preact/hooks';
import { resetForm } from './reset-form';
import { api, failureText, type Me, type Website } from './api';
import { Invitations } from './invitations';

interface Team {
  id: string;
  name: string;
  accessCode?: string;
}
interface Member {
  userId: string;
  role: string;
  user: { id: string; username: string } | null;
}

const roleNames: Record<string, string> = { 'team-owner': 'Owner', 'team-manager': 'Manager', 'team-member': 'Member', 'team-view-only': 'View only' };
const grantable = ['team-manager', 'team-member', 'team-view-only'];
const formValue = (event: SubmitEvent, name: string) => String(new FormData(event.currentTarget as HTMLFormElement).get(name) ?? '');

/** The user's teams: create one, join one by its access code, and for each its members and websites. */
export function Teams({ me }: { me: Me }) {
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [error, setError] = useState('');
  const load = () =>
    api<{ data: Team[] }>('/me/teams?pageSize=100')
      .then(({ data }) => setTeams(data))
      .catch((failure) => setError(failureText(failure, 'Could not load the teams')));
  useEffect(() => void load(), []);

  const run = (action: (event: SubmitEvent) => Promise<unknown>, fallback: string) => async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    try {
      await action(event);
      resetForm(form);
      setError('');
      await load();
    } catch (failure) {
      setError(failureText(failure, fallback));
    }
  };

  return (
    <section>
      <h1>Teams</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {teams === null ? (
        <p class="loading-inline">Loading…</p>
      ) : teams.length === 0 ? (
        <p class="muted">You are in no team yet. Create one, or join one with the access code its manager gives you.</p>
      ) : (
        teams.map((team) => <TeamCard key={team.id} team={team} me={me} changed={load} />)
      )}
      <div class="card forms">
        {me.role !== 'view-only' && (
          <form class="inline" onSubmit={run((e) => api('/teams', { method: 'POST', body: { name: formValue(e, 'name') } }), 'Could not create the team')}>
            <label>
              Team name
              <input name="name" required maxLength={50} />
            </label>
            <button type="submit">Create team</button>
          </form>
        )}
        <form
          class="inline"
          onSubmit={run((e) => api('/teams/join', { method: 'POST', body: { accessCode: formValue(e, 'code') } }), 'Could not join the team')}
        >
          <label>
            Access code
            <input name="code" required maxLength={100} autoComplete="off" />
          </label>
          <button type="submit">Join team</button>
        </form>
      </div>
    </section>
  );
}

function TeamCard({ team, me, changed }: { team: Team; me: Me; changed: () => void }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [websites, setWebsites] = useState<Website[]>([]);
  const [error, setError] = useState('');
  const load = () =>
    Promise.all([api<{ data: Member[] }>(`/teams/${team.id}/users?pageSize=100`), api<{ data: Website[] }>(`/teams/${team.id}/websites?pageSize=100`)])
      .then(([m, w]) => {
        setMembers(m.data);
        setWebsites(w.data);
      })
      .catch((failure) => setError(failureText(failure, 'Could not load the team')));
  useEffect(() => void load(), [team.id]);

  const myRole = me.role === 'admin' ? 'team-owner' : members?.find((m) => m.userId === me.id)?.role;
  const manages = myRole === 'team-owner' || myRole === 'team-manager';
  const attempt = async (action: () => Promise<unknown>, fallback: string, after = load) => {
    try {
      await action();
      setError('');
      await after();
    } catch (failure) {
      setError(failureText(failure, fallback));
    }
  };
  const remove = (member: Member) => {
    const self = member.userId === me.id;
    const name = member.user?.username ?? 'this member';
    if (!confirm(self ? `Leave the team "${team.name}"?` : `Remove ${name} from "${team.name}"?`)) return;
    void attempt(
      () => api(`/teams/${team.id}/users/${member.userId}`, { method: 'DELETE' }),
      'Could not remove the member',
      self ? async () => changed() : load,
    );
  };
  const destroy = () => {
    if (!confirm(`Delete the team "${team.name}" and its ${websites.length} website(s) with all their data? This cannot be undone.`)) return;
    void attempt(
      () => api(`/teams/${team.id}`, { method: 'DELETE' }),
      'Could not delete the team',
      async () => changed(),
    );
  };

  return (
    <div class="card team" data-team={team.name} aria-busy={members === null}>
      <h2>{team.name}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {myRole && <p class="muted">Your role: {roleNames[myRole] ?? myRole}</p>}
      {manages && team.accessCode && (
        <p>
          Access code (give it to people who should join): <code class="access-code">{team.accessCode}</code>
        </p>
      )}
      <h3>Members</h3>
      {members === null ? (
        <p class="loading-inline">Loading…</p>
      ) : (
        <table class="keys members">
          <tbody>
            {members.map((member) => (
              <tr key={member.userId}>
                <td>{member.user?.username ?? '(deleted user)'}</td>
                <td>
                  {manages && member.role !== 'team-owner' ? (
                    <select
                      aria-label={`Role of ${member.user?.username ?? 'member'}`}
                      value={member.role}
                      onChange={(e) =>
                        attempt(
                          () =>
                            api(`/teams/${team.id}/users/${member.userId}`, { method: 'POST', body: { role: (e.currentTarget as HTMLSelectElement).value } }),
                          'Could not change the role',
                        )
                      }
                    >
                      {grantable.map((r) => (
                        <option value={r}>{roleNames[r]}</option>
                      ))}
                    </select>
                  ) : (
                    (roleNames[member.role] ?? member.role)
                  )}
                </td>
                <td>
                  {member.role !== 'team-owner' && (manages || member.userId === me.id) && (
                    <button type="button" class="link danger" onClick={() => remove(member)}>
                      {member.userId === me.id ? 'Leave' : 'Remove'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manages && <Invitations teamId={team.id} />}
      <h3>Websites</h3>
      {websites.length === 0 ? (
        <p class="muted">None yet. A website added with this team is shared with all its members.</p>
      ) : (
        <ul>
          {websites.map((w) => (
            <li key={w.id}>
              <a href={`#/websites/${w.id}?range=30d`}>{w.name}</a> <span class="muted">{w.domain}</span>
            </li>
          ))}
        </ul>
      )}
      {myRole === 'team-owner' && (
        <button type="button" class="link danger" onClick={destroy}>
          Delete team…
        </button>
      )}
    </div>
  );
}
