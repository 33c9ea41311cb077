import { useState } from 'preact/hooks';
import { useLoad } from './use-read';
import { api, failureText, type Website } from './api';
import { formatNumber } from './format';
import { rangeBounds } from './state';

/** The collector's answer at /api/websites/:id/ingest-rules. */
interface Rules {
  hostnames: string[];
  includeSubdomains: boolean;
  excludedIps: string[];
  excludedPaths: string[];
  blockReferrerSpam: boolean;
  updatedAt: string | null;
  referrerSpamList: { url: string; date: string; domains: number };
}

interface Drops {
  total: number;
  data: { reason: string; count: number }[];
}

/** What each drop reason means, in the words of the form above it. */
export const reasonNames: Record<string, string> = {
  bot: 'Bots and crawlers',
  ip: 'From an excluded IP address',
  hostname: 'On a hostname not listed',
  path: 'On an excluded path',
  'referrer-spam': 'Referrer spam',
};

/** Lines of a text area as a list: trimmed, without empty lines. */
export const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** A website's counting rules (what its beacons must be to count) and what was not counted in the last 30 days. */
export function CountingRules({ websiteId }: { websiteId: string }) {
  const base = `/websites/${websiteId}`;
  const month = rangeBounds({ range: '30d' });
  const loadedWebsite = useLoad(base, (signal) => api<Website>(base, { signal }), { fallback: 'Could not load the counting rules' });
  const loadedRules = useLoad(`${base}/ingest-rules`, (signal) => api<Rules>(`${base}/ingest-rules`, { signal }), {
    fallback: 'Could not load the counting rules',
  });
  const loadedDrops = useLoad(`${base}/dropped`, (signal) => api<Drops>(`${base}/dropped?startAt=${month.startAt}&endAt=${month.endAt}`, { signal }), {
    fallback: 'Could not load the counting rules',
  });
  const website = loadedWebsite.data;
  const drops = loadedDrops.data;
  // What the last save answered replaces what was loaded (the same website's rules).
  const [savedRules, setSavedRules] = useState<{ websiteId: string; rules: Rules } | null>(null);
  const rules = savedRules?.websiteId === websiteId ? savedRules.rules : loadedRules.data;
  const [saveError, setSaveError] = useState('');
  const error = saveError || loadedRules.error || loadedWebsite.error || loadedDrops.error;
  const [saved, setSaved] = useState('');

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    setSaved('');
    try {
      const answer = await api<Rules>(`/websites/${websiteId}/ingest-rules`, {
        method: 'POST',
        body: {
          hostnames: lines(String(fields.get('hostnames') ?? '')),
          includeSubdomains: fields.get('includeSubdomains') === 'on',
          excludedIps: lines(String(fields.get('excludedIps') ?? '')),
          excludedPaths: lines(String(fields.get('excludedPaths') ?? '')),
          blockReferrerSpam: fields.get('blockReferrerSpam') === 'on',
        },
      });
      setSavedRules({ websiteId, rules: answer });
      setSaveError('');
      setSaved('Saved. New beacons follow these rules from now on.');
    } catch (failure) {
      setSaveError(failureText(failure, 'Could not save the counting rules'));
    }
  };

  return (
    <section class="counting-rules">
      <p>
        <a href="#/">← Websites</a>
      </p>
      <h1>Counting rules{website ? ` of ${website.name}` : ''}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rules === null ? (
        <p class="loading-inline">Loading…</p>
      ) : (
        <form class="card" onSubmit={save} key={rules.updatedAt ?? 'defaults'}>
          <label>
            Only count visits to these hostnames
            <textarea name="hostnames" rows={3} placeholder={website?.domain ?? 'example.com'} defaultValue={rules.hostnames.join('\n')} />
            <span class="hint">One per line; www. is the same host. Empty: every hostname counts (a copy of your pages elsewhere too).</span>
          </label>
          {website && !rules.hostnames.includes(website.domain.toLowerCase()) && (
            <button
              type="button"
              class="link"
              onClick={(event) => {
                const area = (event.currentTarget as HTMLButtonElement).form!.elements.namedItem('hostnames') as HTMLTextAreaElement;
                if (!lines(area.value).includes(website.domain)) area.value = [...lines(area.value), website.domain].join('\n');
              }}
            >
              Add {website.domain}
            </button>
          )}
          <label class="check">
            <input type="checkbox" name="includeSubdomains" defaultChecked={rules.includeSubdomains} />
            and their subdomains (blog.example.com for example.com)
          </label>
          <label>
            Do not count visits from these IP addresses
            <textarea name="excludedIps" rows={3} placeholder={'203.0.113.7\n198.51.100.0/24'} defaultValue={rules.excludedIps.join('\n')} />
            <span class="hint">Addresses or ranges (203.0.113.0/24, 2001:db8::/32), one per line: your office, your own devices.</span>
          </label>
          <label>
            Do not count these pages
            <textarea name="excludedPaths" rows={3} placeholder="/admin/**" defaultValue={rules.excludedPaths.join('\n')} />
            <span class="hint">
              Paths, one per line: <code>/admin</code> exactly, <code>/admin/**</code> everything under it, <code>*</code> any text within one part.
            </span>
          </label>
          <label class="check">
            <input type="checkbox" name="blockReferrerSpam" defaultChecked={rules.blockReferrerSpam} />
            Drop referrer spam ({formatNumber(rules.referrerSpamList.domains)} known spam domains, list of {rules.referrerSpamList.date})
          </label>
          <p class="hint">At most 50 lines in each list. Bots and crawlers are never counted.</p>
          <button type="submit">Save rules</button>{' '}
          <span role="status" class="muted">
            {saved}
          </span>
        </form>
      )}
      <div class="card">
        <h2>Not counted in the last 30 days</h2>
        {drops === null ? (
          <p class="loading-inline">Loading…</p>
        ) : drops.total === 0 ? (
          <p class="muted">Nothing: every beacon was counted.</p>
        ) : (
          <table class="keys drops">
            <thead>
              <tr>
                <th scope="col">Why</th>
                <th scope="col" class="number">
                  Beacons
                </th>
              </tr>
            </thead>
            <tbody>
              {drops.data.map((row) => (
                <tr key={row.reason} data-reason={row.reason}>
                  <td>{reasonNames[row.reason] ?? row.reason}</td>
                  <td class="number">{formatNumber(row.count)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">All</th>
                <td class="number">{formatNumber(drops.total)}</td>
              </tr>
            </tfoot>
          </table>
        )}
        <p class="hint">Counted per day (UTC) as beacons arrive, and saved every few seconds.</p>
      </div>
    </section>
  );
}
