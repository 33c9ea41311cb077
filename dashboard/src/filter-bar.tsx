import { useState } from 'preact/hooks';
import { useLoad } from './use-read';
import { api, failureText } from './api';
import type { FilterName, Route } from './state';
import { resetForm } from './reset-form';

interface Segment {
  id: string;
  name: string;
}

/** The website's saved segments, loaded once per website (the load cancelled when it changes); `reload` after saving one. */
function useSegments(websiteId: string | undefined): { segments: Segment[]; reload: () => void } {
  const path = websiteId ? `/websites/${websiteId}/segments?type=segment&pageSize=100` : null;
  const { data, reload } = useLoad(path, (signal) => api<{ data: Segment[] }>(path!, { signal }), { keep: true });
  return { segments: data?.data ?? [], reload };
}

/** Umami's filter operators, as people read them. */
const operators = { eq: 'is', neq: 'is not', c: 'contains', dnc: 'does not contain' } as const;
type Operator = keyof typeof operators;

/** The filters offered in the search box, by the name people know them by. */
const fields: [FilterName, string][] = [
  ['path', 'Page'],
  ['title', 'Title'],
  ['referrer', 'Referrer'],
  ['utmSource', 'UTM source'],
  ['utmMedium', 'UTM medium'],
  ['utmCampaign', 'UTM campaign'],
  ['country', 'Country'],
  ['browser', 'Browser'],
  ['os', 'OS'],
  ['device', 'Device'],
  ['language', 'Language'],
  ['event', 'Event'],
  ['hostname', 'Hostname'],
  ['tag', 'Tag'],
];
const fieldLabel = (name: string) => fields.find(([n]) => n === name)?.[1] ?? name;

/** Splits Umami's `op.value` (a value without a known prefix means `eq.`). */
export function readFilter(raw: string): { operator: Operator; value: string } {
  const dot = raw.indexOf('.');
  const prefix = raw.slice(0, dot);
  return dot > 0 && prefix in operators ? { operator: prefix as Operator, value: raw.slice(dot + 1) } : { operator: 'eq', value: raw };
}

/**
 * The active filters as removable chips, and a search box that adds one ("contains" by default);
 * the website's saved segments to pick from, and (for those who may change the website) the
 * filters saved as a new segment.
 */
export function FilterBar({ route, go, canWrite = false }: { route: Route; go: (next: Partial<Route>) => void; canWrite?: boolean }) {
  const active = Object.entries(route.filters).filter(([name, v]) => v && name !== 'segment') as [FilterName, string][];
  const { segments, reload } = useSegments(route.websiteId);
  const [error, setError] = useState('');
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (!name) return;
    const filters = active.map(([field, raw]) => ({ name: field, ...readFilter(raw) }));
    try {
      const saved = await api<Segment>(`/websites/${route.websiteId}/segments`, { method: 'POST', body: { name, type: 'segment', parameters: { filters } } });
      form.reset();
      setError('');
      reload();
      // The segment now stands for the filters it holds.
      go({ filters: { segment: saved.id } });
    } catch (failure) {
      setError(failureText(failure, 'Could not save the segment'));
    }
  };
  const add = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fieldsOf = new FormData(form);
    const value = String(fieldsOf.get('value') ?? '').trim();
    if (!value) return;
    resetForm(form);
    go({ filters: { ...route.filters, [String(fieldsOf.get('field'))]: `${fieldsOf.get('operator')}.${value}` } });
  };
  return (
    <div class="filters">
      {active.length > 0 && (
        <ul class="chips" aria-label="Filters">
          {active.map(([name, raw]) => {
            const { operator, value } = readFilter(raw);
            return (
              <li>
                {fieldLabel(name)} {operators[operator]} <strong>{value}</strong>
                <button type="button" aria-label={`Remove the ${name} filter`} onClick={() => go({ filters: { ...route.filters, [name]: undefined } })}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {(segments.length > 0 || route.filters.segment) && (
        <label class="segment-pick">
          Segment{' '}
          <select
            aria-label="Segment"
            value={route.filters.segment ?? ''}
            onChange={(e) => go({ filters: { ...route.filters, segment: (e.currentTarget as HTMLSelectElement).value || undefined } })}
          >
            <option value="">All visitors</option>
            {segments.map((segment) => (
              <option value={segment.id}>{segment.name}</option>
            ))}
          </select>
        </label>
      )}
      <form class="search" aria-label="Filter the page" onSubmit={add}>
        <select name="field" aria-label="Filter on">
          {fields.map(([name, label]) => (
            <option value={name}>{label}</option>
          ))}
        </select>
        <select name="operator" aria-label="Operator">
          {Object.entries(operators).map(([op, label]) => (
            <option value={op} selected={op === 'c'} data-default={op === 'c' ? '' : undefined}>
              {label}
            </option>
          ))}
        </select>
        <input name="value" type="search" aria-label="Filter value" placeholder="Search…" maxLength={500} />
        <button type="submit">Filter</button>
      </form>
      {canWrite && active.length > 0 && (
        <form class="save-segment" aria-label="Save the filters as a segment" onSubmit={save}>
          <input name="name" aria-label="Segment name" placeholder="Name these filters…" maxLength={200} required />
          <button type="submit">Save as segment</button>
        </form>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
