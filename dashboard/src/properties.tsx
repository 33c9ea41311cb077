import { useState } from 'preact/hooks';
import { formatNumber } from './format';
import { useRead } from './use-read';

interface Property {
  propertyName: string;
  dataType: number;
  total: number;
}

const typeNames: Record<number, string> = { 1: 'text', 2: 'number', 3: 'yes/no', 4: 'date', 5: 'list' };

/**
 * The data sites attach, explored: custom events' properties and what `identify` said about
 * visitors, each with its type and count; choosing one lists its most frequent values.
 */
export function Properties({ base, range }: { base: string; range: string }) {
  return (
    <div class="properties-report">
      <PropertyTable
        title="Event properties"
        list={`${base}/event-data/fields?${range}`}
        values={(name) => `${base}/event-data/values?${range}&propertyName=${encodeURIComponent(name)}`}
        unit="times sent"
        empty="No custom event carried data in this range (umami.track(name, data))."
      />
      <PropertyTable
        title="Visitor properties"
        list={`${base}/session-data/properties?${range}`}
        values={(name) => `${base}/session-data/values?${range}&propertyName=${encodeURIComponent(name)}`}
        unit="visitors"
        empty="No visitor was identified with data in this range (umami.identify(id, data))."
      />
    </div>
  );
}

function PropertyTable({ title, list, values, unit, empty }: { title: string; list: string; values: (name: string) => string; unit: string; empty: string }) {
  const properties = useRead<Property[]>(list);
  const [chosen, setChosen] = useState<string | null>(null);
  const shown = useRead<{ value: string; total: number }[]>(chosen === null ? null : values(chosen));
  return (
    <section class="card wide" aria-label={title}>
      <h2>{title}</h2>
      {properties.error && (
        <p class="error" role="alert">
          {properties.error}
        </p>
      )}
      {properties.data === null ? (
        <p class="loading-inline">Loading…</p>
      ) : properties.data.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <table class="keys report-table">
          <thead>
            <tr>
              <th>Property</th>
              <th>Type</th>
              <th class="number">{unit}</th>
            </tr>
          </thead>
          <tbody>
            {properties.data.map((p) => (
              <tr data-property={p.propertyName} class={p.propertyName === chosen ? 'current' : undefined}>
                <td>
                  <button
                    type="button"
                    class="link"
                    aria-pressed={p.propertyName === chosen}
                    onClick={() => setChosen(p.propertyName === chosen ? null : p.propertyName)}
                  >
                    {p.propertyName}
                  </button>
                </td>
                <td>{typeNames[p.dataType] ?? '—'}</td>
                <td class="number">{formatNumber(p.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen !== null && (
        <section class="property-values" aria-label={`Values of ${chosen}`}>
          <h3>Values of {chosen}</h3>
          {shown.data === null ? (
            <p class="loading-inline">Loading…</p>
          ) : (
            <ol>
              {shown.data.map((v) => (
                <li>
                  <span>{v.value}</span> <span class="muted">{formatNumber(v.total)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
