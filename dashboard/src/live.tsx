import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { formatNumber } from './format';

interface Realtime {
  totals: { views: number; visitors: number; events: number };
  events: { __type: string; urlPath: string; eventName: string; createdAt: string; country: string; sessionId: string }[];
}

/** Visitors now (active in the last 5 minutes) and the last 30 minutes' events, refreshed every 15 s. */
export function Live({ websiteId }: { websiteId: string }) {
  const [active, setActive] = useState<number | null>(null);
  const [recent, setRecent] = useState<Realtime | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let stopped = false;
    const refresh = async () => {
      const [now, last] = await Promise.all([api<{ visitors: number }>(`/websites/${websiteId}/active`), api<Realtime>(`/realtime/${websiteId}`)]).catch(
        () => [null, null] as const,
      );
      if (stopped) return;
      if (now) setActive(now.visitors);
      else setFailed(true);
      if (last) setRecent(last);
    };
    void refresh();
    const timer = setInterval(refresh, 15_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [websiteId]);
  return (
    // Only the count is a live region: the whole panel as one was read out again at every refresh
    // (its stream's times change each time); the count is announced when it changes.
    <section class="panel live" aria-busy={active === null && !failed}>
      <h2>
        <span class="dot" aria-hidden="true" />{' '}
        <span aria-live="polite" aria-atomic="true">
          {active === null ? '…' : formatNumber(active)} {active === 1 ? 'visitor' : 'visitors'} now
        </span>
      </h2>
      {recent && (
        <p class="muted">
          Last 30 minutes: {formatNumber(recent.totals.views)} pageviews, {formatNumber(recent.totals.visitors)} visitors, {formatNumber(recent.totals.events)}{' '}
          events
        </p>
      )}
      {recent && recent.events.length > 0 && (
        <ol class="stream">
          {recent.events.slice(0, 8).map((e) => (
            <li>
              <time>{new Date(e.createdAt).toLocaleTimeString()}</time> {e.__type === 'event' ? `event ${e.eventName}` : 'view'}{' '}
              <span class="muted">{e.urlPath}</span>{' '}
              <a href={`#/websites/${websiteId}/visitors/${e.sessionId}`} aria-label={`The visitor of this ${e.__type === 'event' ? 'event' : 'view'}`}>
                visitor
              </a>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
