/** The collector's own read and auth API, as any client would call it. */

const tokenKey = 'analytics.token';

export function savedToken(): string | null {
  return localStorage.getItem(tokenKey) ?? sessionStorage.getItem(tokenKey);
}

export function saveToken(token: string | null, remember = false): void {
  localStorage.removeItem(tokenKey);
  sessionStorage.removeItem(tokenKey);
  if (token) (remember ? localStorage : sessionStorage).setItem(tokenKey, token);
}

/** A share link's token: when set, the page reads as the link's visitor, with no account. */
let shareToken: string | null = null;
export const setShareToken = (token: string | null) => {
  shareToken = token;
};

/** An answer other than 2xx, with the API's message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The API's message for a failure, or the fallback for anything else. */
export const failureText = (failure: unknown, fallback: string) => (failure instanceof ApiFailure ? failure.message : fallback);

/** Listeners told when the session has ended (401), so the app can show the sign-in page. */
export const sessionEnded = new Set<() => void>();

/** The session's token was refused (401 `unauthorized`): forget it and tell the listeners. */
export function endSession(): void {
  if (shareToken || !savedToken()) return;
  saveToken(null);
  for (const listener of sessionEnded) listener();
}

/** How often a read refused for having too many of its user's reads waiting (429 `too-many-reads`) is tried again. */
const readRetries = 3;

/** A call of the API; `signal` cancels it (a view the user has left), and then it rejects with the abort. */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; file?: Blob; signal?: AbortSignal; bearer?: string } = {},
  retries = readRetries,
): Promise<T> {
  // `bearer`: a secret of its own for this call (a reset link's), instead of the session.
  const token = init.bearer ?? (shareToken ? null : savedToken());
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(shareToken ? { 'x-umami-share-token': shareToken } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        // `file`: an upload sent as the body itself (a zip to import).
        ...(init.file ? { 'content-type': init.file.type || 'application/octet-stream' } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : init.file,
      signal: init.signal,
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiFailure(0, 'The collector cannot be reached. Check your connection and try again.');
  }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (response.status === 429 && body?.error?.code === 'too-many-reads' && (init.method ?? 'GET') === 'GET' && retries > 0) {
    const seconds = Number(response.headers.get('retry-after')) || 1;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return api<T>(path, init, retries - 1);
  }
  if (!response.ok) {
    // 401 `unauthorized` means the token is gone; a wrong password (`bad-credentials`) does not.
    if (response.status === 401 && token && !init.bearer && body?.error?.code === 'unauthorized') endSession();
    throw new ApiFailure(response.status, body?.error?.message ?? `The request failed (${response.status})`);
  }
  return body as T;
}

export interface Website {
  id: string;
  name: string;
  domain: string;
  teamId: string | null;
  shareId: string | null;
  /** Months of data kept (older days are deleted in the background); 0: everything. */
  retentionMonths: number;
  createdAt: string;
}

/** Figures imported from another tool (Plausible's export): daily totals over these days. */
export interface ImportedRange {
  source: string;
  firstDay: string;
  lastDay: string;
  days: number;
  pageviews: number;
  importedAt: string;
}

export interface Stats {
  pageviews: number;
  visitors: number;
  visits: number;
  bounces: number;
  totaltime: number;
  comparison: Omit<Stats, 'comparison'>;
}

export interface Point {
  x: string;
  y: number;
}

/** The signed-in user, as `/api/me` gives it. */
export interface Me {
  id: string;
  username: string;
  role: 'admin' | 'user' | 'view-only';
  email: string | null;
  name: string | null;
  emailVerified: boolean;
}

/** What an account must do before anything else (`/api/me`'s `setupRequired`). */
export type SetupStep = 'password' | 'two-factor' | null;
