import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, setShareToken } from './api';
import { Overview } from './overview';
import type { Route } from './state';

/** A share link's page: one website's overview, read-only, for anyone with the link. */
export function SharedView({ route }: { route: Route }) {
  const [websiteId, setWebsiteId] = useState<string | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setShareToken(null);
    api<{ websiteId: string; token: string }>(`/share/${route.shareId}`)
      .then((link) => {
        setShareToken(link.token);
        setWebsiteId(link.websiteId);
      })
      .catch((failure) =>
        setError(failure instanceof ApiFailure && failure.status === 404 ? 'This link is not shared (any more).' : 'The figures cannot be loaded.'),
      );
  }, [route.shareId]);
  if (error) {
    return (
      <main>
        <p class="error" role="alert">
          {error}
        </p>
      </main>
    );
  }
  if (!websiteId) return <p class="loading">Loading…</p>;
  return (
    <main>
      <p class="public-notice" role="note">
        A public page: anyone with this link can see these figures, without signing in.
      </p>
      <Overview route={{ ...route, websiteId }} />
    </main>
  );
}
