import type { FilterName, Route } from './state';
import { resetForm } from './reset-form';

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

/** The active filters as removable chips, and a search box that adds one ("contains" by default). */
export function FilterBar({ route, go }: { route: Route; go: (next: Partial<Route>) => void }) {
  const active = Object.entries(route.filters).filter(([, v]) => v) as [FilterName, string][];
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
    </div>
  );
}
