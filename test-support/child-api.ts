import { chromeUA } from './collector';

/** The HTTP calls tests make against a collector they know only by URL (a child process). */
export function collectorApi(url: string, password: string) {
  const json = async <T>(response: Response): Promise<T> => {
    if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const api = {
    async login(): Promise<string> {
      const response = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      return (await json<{ token: string }>(response)).token;
    },
    async createWebsite(token: string, name = 'Example'): Promise<string> {
      const response = await fetch(`${url}/api/websites`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name, domain: 'example.com' }),
      });
      return (await json<{ id: string }>(response)).id;
    },
    /** Sends a beacon as the tracker does (text/plain); resolves with the status. */
    async send(body: unknown, headers: Record<string, string> = {}): Promise<number> {
      const response = await fetch(`${url}/api/send`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'user-agent': chromeUA, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      await response.arrayBuffer();
      return response.status;
    },
    heartbeat: async () => json<Heartbeat>(await fetch(`${url}/api/heartbeat`)),
    /** Waits until everything spooled is in ClickHouse (or quarantined). */
    async drained(timeoutMs = 60_000): Promise<Heartbeat> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const beat = await api.heartbeat();
        if (beat.backlog.rows === 0) return beat;
        if (Date.now() > deadline) throw new Error(`spool did not drain: ${JSON.stringify(beat)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async get<T>(token: string, path: string): Promise<T> {
      return json<T>(await fetch(url + path, { headers: { authorization: `Bearer ${token}` } }));
    },
  };
  return api;
}

export interface Heartbeat {
  ok: boolean;
  backlog: { rows: number; bytes: number };
  quarantine: { rows: number; bytes: number; discardedRows: number };
}
