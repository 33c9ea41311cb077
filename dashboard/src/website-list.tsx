import { useEffect, useState } from 'preact/hooks';
import { ImportedFigures } from './imported-figures';
import { resetForm } from './reset-form';
import { inTurns } from './in-turns';
import { api, type Website, failureText } from './api';
import { CopyButton } from './copy-button';
import { formatNumber } from './format';
import { dayString, rangeBounds } from './state';

/** 16 random characters for a share link's id. */
/** The tag a site puts in its pages. */
const snippetOf = (website: Website) => `<script defer src="${location.origin}/script.js" data-website-id="${website.id}"></script>`;

const randomShareId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 16);

/** The user's websites (and their teams'), with today's visitors and share links; a form to add one. */
/** The retention periods offered (and the website's own, if another was set through the API). */
const retentionChoices = (current: number) => [...new Set([0, 6, 13, 25, 37, current])].sort((a, b) => (a === 0 ? -1 : b === 0 ? 1 : a - b));

export function WebsiteList({ canWrite }: { canWrite: boolean }) {
  const [websites, setWebsites] = useState<Website[] | null>(null);
  const [visitors, setVisitors] = useState<Record<string, number>>({});
  const [trends, setTrends] = useState<Record<string, number[]>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const [teams, setTeams] = useState<{ id: string; name: string }[]>([]);
  const [error, setError] = useState('');

  const load = async () => {
    try {
      const [{ data }, myTeams] = await Promise.all([
        api<{ data: Website[] }>('/websites?includeTeams=true&pageSize=100'),
        api<{ data: { id: string; name: string }[] }>('/me/teams?pageSize=100'),
      ]);
      setWebsites(data);
      setTeams(myTeams.data);
      // The trend (visitors per local day over the last 14 days, today last) of up to 20 websites per
      // call to /websites/charts: one request for a whole list, where there were two per website.
      const fortnight = rangeBounds({ range: 'custom', start: dayString(new Date(Date.now() - 13 * 86_400_000)), end: dayString(new Date()) });
      const timezone = encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone);
      const chunks = Array.from({ length: Math.ceil(data.length / 20) }, (_, i) => data.slice(i * 20, i * 20 + 20));
      const answers = await inTurns(chunks, 2, (chunk) =>
        api<{ data: Record<string, { total: number; values: number[] }> }>(
          `/websites/charts?ids=${chunk.map((w) => w.id).join(',')}&startAt=${fortnight.startAt}&endAt=${Date.now()}&timezone=${timezone}`,
        ),
      );
      const charts = Object.assign({}, ...answers.map((answer) => answer.data)) as Record<string, { values: number[] }>;
      setVisitors(Object.fromEntries(Object.entries(charts).map(([id, chart]) => [id, chart.values.at(-1) ?? 0])));
      setTrends(Object.fromEntries(Object.entries(charts).map(([id, chart]) => [id, chart.values])));
    } catch (failure) {
      setError(failureText(failure, 'Could not load the websites'));
    }
  };
  useEffect(() => void load(), []);

  const share = async (website: Website, shareId: string | null) => {
    try {
      await api(`/websites/${website.id}`, { method: 'POST', body: { shareId } });
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not change sharing'));
    }
  };

  /** Reset or delete, after a confirmation that names the site. */
  const destroy = async (website: Website, action: 'reset' | 'delete') => {
    const question =
      action === 'delete'
        ? `Delete "${website.name}" and all its data? This cannot be undone.`
        : `Reset "${website.name}"? Every event recorded so far is deleted; the website stays.`;
    if (!confirm(question)) return;
    try {
      await api(action === 'delete' ? `/websites/${website.id}` : `/websites/${website.id}/reset`, { method: action === 'delete' ? 'DELETE' : 'POST' });
      await load();
    } catch (failure) {
      setError(failureText(failure, `Could not ${action} the website`));
    }
  };

  const save = async (event: SubmitEvent, website: Website) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    try {
      await api(`/websites/${website.id}`, {
        method: 'POST',
        body: { name: fields.get('name'), domain: fields.get('domain'), retentionMonths: Number(fields.get('retentionMonths')) },
      });
      setEditing(null);
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not save the website'));
    }
  };

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    try {
      const teamId = String(fields.get('teamId') ?? '');
      await api('/websites', { method: 'POST', body: { name: fields.get('name'), domain: fields.get('domain'), ...(teamId ? { teamId } : {}) } });
      resetForm(form);
      await load();
    } catch (failure) {
      setError(failureText(failure, 'Could not add the website'));
    }
  };

  return (
    <section>
      <h1>Websites</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {websites === null ? (
        <p class="loading">Loading…</p>
      ) : websites.length === 0 ? (
        <p>No websites yet. Add one below, then put its tracking snippet on your pages.</p>
      ) : (
        <ul class="sites">
          {websites.map((w) => (
            <li key={w.id}>
              <a href={`#/websites/${w.id}?range=30d`}>
                <strong>{w.name}</strong> <span class="muted">{w.domain}</span>
                {w.retentionMonths > 0 && <span class="muted"> · keeps {w.retentionMonths} months</span>}
              </a>
              <span class="figure" aria-busy={visitors[w.id] === undefined}>
                <Sparkline values={trends[w.id]} />
                <span title="Visitors today">{visitors[w.id] === undefined ? '…' : formatNumber(visitors[w.id]!)} today</span>
              </span>
              {editing === w.id && (
                <form class="edit inline" onSubmit={(e) => save(e, w)}>
                  <label>
                    Name
                    <input name="name" required maxLength={100} value={w.name} />
                  </label>
                  <label>
                    Domain
                    <input name="domain" required maxLength={500} value={w.domain} />
                  </label>
                  <label>
                    Keep data
                    <select name="retentionMonths" value={String(w.retentionMonths)}>
                      {retentionChoices(w.retentionMonths).map((months) => (
                        <option value={String(months)}>{months === 0 ? 'forever' : `${months} months`}</option>
                      ))}
                    </select>
                  </label>
                  <button type="submit">Save</button>
                  <button type="button" class="link" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </form>
              )}
              {editing === w.id && <ImportedFigures websiteId={w.id} />}
              <div class="snippet-row">
                <code class="snippet">{snippetOf(w)}</code>
                <CopyButton text={snippetOf(w)} label={`Copy the tracking snippet of ${w.name}`} />
              </div>
              <div class="share">
                {!canWrite ? null : w.shareId ? (
                  <>
                    <span class="public-link">
                      Public link: <a href={`#/share/${w.shareId}`}>{`${location.origin}/#/share/${w.shareId}`}</a>
                    </span>
                    <CopyButton text={`${location.origin}/#/share/${w.shareId}`} label={`Copy the public link of ${w.name}`} />
                    <button type="button" class="link" onClick={() => share(w, null)}>
                      Stop sharing
                    </button>
                  </>
                ) : (
                  <button type="button" class="link" onClick={() => share(w, randomShareId())}>
                    Share a public link
                  </button>
                )}
                {canWrite && (
                  <>
                    <button type="button" class="link" onClick={() => setEditing(w.id)}>
                      Edit
                    </button>
                    <a class="link" href={`#/websites/${w.id}/rules`}>
                      Counting rules
                    </a>
                    <button type="button" class="link" onClick={() => destroy(w, 'reset')}>
                      Reset…
                    </button>
                    <button type="button" class="link danger" onClick={() => destroy(w, 'delete')}>
                      Delete…
                    </button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <details class="about-snippet">
        <summary>About the tracking snippet</summary>
        <p>
          Put it in the <code>&lt;head&gt;</code> of every page. Optional attributes:
        </p>
        <dl>
          <dt>
            <code>data-domains="a.com,b.com"</code>
          </dt>
          <dd>count only pages on these hostnames (not staging, not localhost)</dd>
          <dt>
            <code>data-exclude-search="true"</code>
          </dt>
          <dd>drop the query string from recorded URLs</dd>
          <dt>
            <code>data-exclude-hash="true"</code>
          </dt>
          <dd>drop the #fragment</dd>
          <dt>
            <code>data-auto-track="false"</code>
          </dt>
          <dd>
            no automatic pageviews; call <code>umami.track()</code> yourself
          </dd>
          <dt>
            <code>data-do-not-track="true"</code>
          </dt>
          <dd>respect the browser's Do Not Track setting</dd>
          <dt>
            <code>data-tag="…"</code>
          </dt>
          <dd>
            tag every event (for A/B tests), filterable by <code>tag</code>
          </dd>
        </dl>
        <p>
          Custom events:{' '}
          <code>
            umami.track('signup', {'{'} plan: 'pro' {'}'})
          </code>
          , or <code>data-umami-event="signup"</code> on a link or button.
        </p>
      </details>
      {canWrite && (
        <form class="add" onSubmit={create}>
          <h2>Add a website</h2>
          <label>
            Name
            <input name="name" required maxLength={100} />
          </label>
          <label>
            Domain
            <input name="domain" required maxLength={500} placeholder="example.com" />
          </label>
          {teams.length > 0 && (
            <label>
              Owner
              <select name="teamId">
                <option value="">Me</option>
                {teams.map((team) => (
                  <option value={team.id}>Team {team.name}</option>
                ))}
              </select>
            </label>
          )}
          <button type="submit">Add</button>
        </form>
      )}
    </section>
  );
}

/** Visitors per day as a small line (no axes): the shape of the last two weeks at a glance. */
function Sparkline({ values }: { values: number[] | undefined }) {
  if (!values || values.length < 2) return <svg class="spark" aria-hidden="true" />;
  const top = Math.max(...values, 1);
  const points = values.map((v, i) => `${((i / (values.length - 1)) * 100).toFixed(1)},${(28 - (v / top) * 26).toFixed(1)}`).join(' ');
  return (
    <svg
      class="spark"
      viewBox="0 0 100 30"
      preserveAspectRatio="none"
      role="img"
      aria-label={`Visitors per day, last ${values.length} days: ${values.join(', ')}`}
    >
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke" />
    </svg>
  );
}
