import type { Page, Request } from 'playwright-core';

/**
 * The API reads a request of the dashboard carries: its own URL, or, for `POST /api/batch` (the
 * dashboard sends the reads of one moment together, dashboard/src/read-batch.ts), each item's.
 */
export function readsOf(request: Request): URL[] {
  const url = new URL(request.url());
  if (request.method() !== 'POST' || url.pathname !== '/api/batch') return [url];
  const items = JSON.parse(request.postData() ?? '[]') as { url?: string }[];
  return items.flatMap((item) => (typeof item.url === 'string' ? [new URL(item.url, url)] : []));
}

/** The first read the page asks for (alone or in a batch) whose URL holds every one of `parts`. */
export async function nextRead(page: Page, ...parts: string[]): Promise<URL> {
  const holds = (url: URL) => parts.every((part) => url.href.includes(part));
  const request = await page.waitForRequest((r) => readsOf(r).some(holds));
  return readsOf(request).find(holds)!;
}
