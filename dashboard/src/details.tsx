import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { useLoad } from './use-read';
import { type Order, pageOf, type Row, sortRows, toCsv } from './details-list';
import { formatNumber } from './format';

/** How many rows a details view loads (the read API's largest page) and shows at a time. */
const loaded = 1000;
const pageSize = 50;
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export interface DetailsProps {
  /** The panel tab's name ("Pages") and what its counts are ("Visitors"). */
  title: string;
  measure: string;
  /** The metrics request without limit, offset and search. */
  path: string;
  show?: (x: string) => string;
  unknown: string;
  /** The period's visitors, for shares (none for counted events). */
  total?: number;
  onPick?: (x: string) => void;
  onClose: () => void;
}

/**
 * A panel's full list, as Plausible's "Details": searched by the server (up to 1,000 rows),
 * sorted, paged, each row with its share of the period's visitors, and what is shown downloadable
 * as CSV. A request still running when the search changes or the view closes is cancelled.
 */
export function Details({ title, measure, path, show, unknown, total, onPick, onClose }: DetailsProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [order, setOrder] = useState<Order>('most');
  const [page, setPage] = useState(1);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  // The search goes to the server a quarter second after typing stops.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const list = `${path}&limit=${loaded}${query ? `&search=${encodeURIComponent(query)}` : ''}`;
  const { data: rows, error } = useLoad(list, (signal) => api<Row[]>(list, { signal }), { fallback: 'Could not load this list' });
  // A new list starts on its first page.
  useEffect(() => setPage(1), [list]);

  const sorted = rows ? sortRows(rows, order) : [];
  const shown = pageOf(sorted, page, pageSize);
  const name = (x: string) => (x ? (show ? show(x) : x) : unknown);
  const share = (y: number) => (total ? percent.format(Math.min(1, y / total)) : '');
  const download = () => {
    const csv = toCsv(
      total ? [title, measure, 'Share'] : [title, measure],
      sorted.map((r) => (total ? [name(r.x), r.y, share(r.y)] : [name(r.x), r.y])),
    );
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    link.download = `${title.toLowerCase().replace(/\W+/g, '-')}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };

  return (
    <dialog class="details" ref={dialog} onClose={onClose} aria-label={`${title}: details`}>
      <header>
        <h2>{title}</h2>
        <button type="button" class="link" onClick={() => dialog.current?.close()} aria-label="Close">
          ×
        </button>
      </header>
      <div class="details-tools">
        <input
          type="search"
          aria-label={`Search ${title.toLowerCase()}`}
          placeholder="Search…"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
          maxLength={500}
        />
        <select
          aria-label="Order"
          value={order}
          onChange={(e) => {
            setOrder((e.currentTarget as HTMLSelectElement).value as Order);
            setPage(1);
          }}
        >
          <option value="most">Most {measure.toLowerCase()} first</option>
          <option value="fewest">Fewest first</option>
          <option value="name">By name</option>
        </select>
        <button type="button" onClick={download} disabled={!rows || rows.length === 0}>
          Download CSV
        </button>
      </div>
      {error ? (
        <p class="error">{error}</p>
      ) : rows === null ? (
        <p class="muted" aria-busy="true">
          Loading…
        </p>
      ) : sorted.length === 0 ? (
        <p class="muted">Nothing matches.</p>
      ) : (
        <>
          <table class="keys details-table">
            <thead>
              <tr>
                <th>{title}</th>
                <th class="number">{measure}</th>
                {total ? <th class="number">Share</th> : null}
              </tr>
            </thead>
            <tbody>
              {shown.rows.map((row) => (
                <tr>
                  <td>
                    {onPick ? (
                      <button
                        type="button"
                        class="link"
                        onClick={() => {
                          onPick(row.x);
                          dialog.current?.close();
                        }}
                      >
                        {name(row.x)}
                      </button>
                    ) : (
                      name(row.x)
                    )}
                  </td>
                  <td class="number">{formatNumber(row.y)}</td>
                  {total ? <td class="number">{share(row.y)}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages of the list">
            <button type="button" class="link" disabled={shown.page <= 1} onClick={() => setPage(shown.page - 1)}>
              Previous
            </button>
            <span>
              Page {shown.page} of {shown.pages} · {formatNumber(sorted.length)}
              {sorted.length === loaded ? ' (the first 1,000; search to narrow)' : ''} rows
            </span>
            <button type="button" class="link" disabled={shown.page >= shown.pages} onClick={() => setPage(shown.page + 1)}>
              Next
            </button>
          </nav>
        </>
      )}
    </dialog>
  );
}

/** The "Details" link under a panel that has rows, and its dialog while it is open. */
export function DetailsLink({ hasRows, ...details }: Omit<DetailsProps, 'onClose'> & { hasRows: boolean }) {
  const [open, setOpen] = useState(false);
  if (!hasRows) return null;
  return (
    <>
      <button type="button" class="link more" onClick={() => setOpen(true)}>
        Details
      </button>
      {open && <Details {...details} onClose={() => setOpen(false)} />}
    </>
  );
}
