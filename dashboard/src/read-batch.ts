import { api, ApiFailure, endSession } from './api';

/**
 * Reads asked for in the same moment (one view's panels, figures and chart) go to the server as
 * one `POST /api/batch` of GET reads, at most `batchReads` a request: a view costs one round trip
 * instead of a dozen, and no read waits for one of the browser's six connections. Each caller
 * gets its own answer or failure and may cancel its own read; a batch whose readers all left is
 * cancelled, and the server stops its reads. A lone read goes out as itself.
 */
export const batchReads = 20;

interface Waiting {
  path: string;
  signal?: AbortSignal;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

let waiting: Waiting[] = [];

/** A GET of `/api${path}`, sent in the batch of its moment. */
export function read<T>(path: string, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    waiting.push({ path, signal, resolve: resolve as (value: unknown) => void, reject });
    // Effects of one render run in one task: the batch leaves after them.
    if (waiting.length === 1) setTimeout(sendWaiting, 0);
  });
}

function sendWaiting(): void {
  const asked = waiting.filter((item) => {
    if (!item.signal?.aborted) return true;
    item.reject(item.signal.reason);
    return false;
  });
  waiting = [];
  for (let at = 0; at < asked.length; at += batchReads) void send(asked.slice(at, at + batchReads));
}

type Result = { index: number; status: number; body: { error?: { message?: string; code?: string } } | null };

async function send(items: Waiting[]): Promise<void> {
  if (items.length === 1) {
    const [item] = items;
    return api(item!.path, { signal: item!.signal }).then(item!.resolve, item!.reject);
  }
  // The batch is cancelled when every reader of it has left.
  const batch = new AbortController();
  let left = 0;
  for (const item of items) {
    item.signal?.addEventListener('abort', () => {
      item.reject(item.signal!.reason);
      if (++left === items.length) batch.abort();
    });
  }
  let results: Result[];
  try {
    const answer = await api<{ results?: Result[] }>('/batch', {
      method: 'POST',
      body: items.map((item) => ({ url: `/api${item.path}` })),
      signal: batch.signal,
    });
    results = answer.results ?? [];
  } catch {
    if (batch.signal.aborted) return;
    // A server without reads in batches (or a failed batch): each read on its own.
    for (const item of items) api(item.path, { signal: item.signal }).then(item.resolve, item.reject);
    return;
  }
  for (const [index, item] of items.entries()) {
    if (item.signal?.aborted) continue;
    const result = results.find((r) => r.index === index);
    if (result?.status === 200) item.resolve(result.body);
    // Too many of this user's reads at once: this one again on its own, which waits its turn.
    else if (!result || (result.status === 429 && result.body?.error?.code === 'too-many-reads'))
      api(item.path, { signal: item.signal }).then(item.resolve, item.reject);
    else {
      if (result.status === 401 && result.body?.error?.code === 'unauthorized') endSession();
      item.reject(new ApiFailure(result.status, result.body?.error?.message ?? `The request failed (${result.status})`));
    }
  }
}
