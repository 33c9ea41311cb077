import { vitals } from './vitals';

type Payload = Record<string, unknown>;

/**
 * The tracker's opt-in extras, a module the tracker imports only for a script tag that turns one
 * on, so the default script stays small: web vitals (`data-performance`), outbound links
 * (`data-outbound-links`) and file downloads (`data-file-downloads`). It gets the tracker's own
 * functions, so the opt-outs and `data-before-send` apply to what it sends.
 */
export function x(
  on: (name: string) => boolean,
  send: (body: Payload, type: string) => void,
  payload: () => Payload,
  track: (name: string, data: Payload) => void,
): void {
  if (on('performance')) vitals(send, payload);
  if (on('outbound-links') || on('file-downloads')) document.addEventListener('click', (event) => clicked(event, on, track), true);
}

const downloads = /\.(pdf|csv|txt|docx?|xlsx?|pptx?|zip|rar|7z|gz|dmg|exe|msi|pkg|apk|mp3|mp4|mov)$/i;

function clicked(event: MouseEvent, on: (name: string) => boolean, track: (name: string, data: Payload) => void): void {
  try {
    // The nearest tagged element, link or button decides; one with data-umami-event is the tracker's.
    const link = (event.target as Element).closest('[data-umami-event],a,button') as HTMLAnchorElement | null;
    // Buttons have no protocol; mailto:, tel: and javascript: links are not page visits.
    if (!link || link.hasAttribute('data-umami-event') || !/^http/.test(link.protocol)) return;
    if (on('outbound-links') && link.host != location.host) track('outbound-link', { url: link.href });
    else if (on('file-downloads') && downloads.test(link.pathname)) track('file-download', { url: link.href });
  } catch {
    // A click handler that throws would break the site's own handlers.
  }
}
