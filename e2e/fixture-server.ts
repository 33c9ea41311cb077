import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Site {
  /** http://localhost:PORT: another origin than the collector's 127.0.0.1. */
  url: string;
  /** Path → HTML; tests add their own pages. Any other path ending in a file extension is served as a file. */
  pages: Record<string, string>;
  server: Server;
  close(): Promise<void>;
}

/** Serves a customer's site: HTML pages on their own origin, loading the tracker cross-origin. */
export async function startSite(pages: Record<string, string> = {}): Promise<Site> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const html = pages[path];
    if (html !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html);
    } else if (/\.\w+$/.test(path)) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end('file');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    pages,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page carrying the tracker's script tag, with extra attributes, head and body. */
export function trackedPage(
  collectorUrl: string,
  websiteId: string,
  { title = 'Home', attributes = '', head = '', body = '', src = `${collectorUrl}/script.js` } = {},
): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title>${head}
<script defer src="${src}" data-website-id="${websiteId}" ${attributes}></script>
</head><body><h1>${title}</h1>${body}</body></html>`;
}
