import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Serves HTML pages on its own origin (http://localhost:PORT), as a customer's site would, so the
 * tracker is loaded cross-origin from the collector. `pages` maps a path to its HTML; every other
 * path gets the page at '/', as a single-page app's server does.
 */
export async function startSite(pages: Record<string, string>): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const html = pages[path] ?? pages['/'];
    response.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A page carrying the tracker's script tag. */
export function trackedPage(collectorUrl: string, websiteId: string, { title = 'Home', attributes = '' } = {}): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>
<script defer src="${collectorUrl}/script.js" data-website-id="${websiteId}" ${attributes}></script>
</head><body><h1>${title}</h1><a id="about" href="/about">About</a></body></html>`;
}
