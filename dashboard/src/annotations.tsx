import { useState } from 'preact/hooks';
import { useLoad } from './use-read';
import { api, failureText } from './api';
import { type Bounds, dayString, midnight } from './state';

export interface Annotation {
  id: string;
  date: string;
  note: string;
  allDay: boolean;
}

/** The website's annotations in the range, reloaded when the range changes (the last load cancelled) or one is added or deleted. */
export function useAnnotations(websiteId: string, bounds: Bounds): { annotations: Annotation[]; reload: () => void } {
  const path = `/websites/${websiteId}/annotations?startAt=${bounds.startAt}&endAt=${bounds.endAt}&pageSize=200`;
  // Without them the chart still draws: a failed load shows none.
  const { data, reload } = useLoad(path, (signal) => api<{ data: Annotation[] }>(path, { signal }), { keep: true });
  return { annotations: data?.data ?? [], reload };
}

/** The fields of an annotation's form: its day and note, or null when either is empty. */
function formFields(form: HTMLFormElement): { date: string; note: string } | null {
  const fields = new FormData(form);
  const note = String(fields.get('note') ?? '').trim();
  const day = String(fields.get('date') ?? '');
  // The day as the viewer sees it: its local midnight.
  return note && day ? { date: midnight(day).toISOString(), note } : null;
}

/**
 * The range's annotations under the chart (drawn on it as dashed lines), with a form to add one
 * and, for each, buttons to edit it in place (its day and note) and to delete it.
 */
export function Annotations({
  websiteId,
  annotations,
  reload,
  canWrite,
}: {
  websiteId: string;
  annotations: Annotation[];
  reload: () => void;
  canWrite: boolean;
}) {
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const add = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = formFields(form);
    if (!fields) return;
    try {
      await api(`/websites/${websiteId}/annotations`, { method: 'POST', body: { ...fields, allDay: true } });
      form.reset();
      setError('');
      reload();
    } catch (failure) {
      setError(failureText(failure, 'Could not save the annotation'));
    }
  };
  const save = async (event: SubmitEvent, annotation: Annotation) => {
    event.preventDefault();
    const fields = formFields(event.currentTarget as HTMLFormElement);
    if (!fields) return;
    try {
      await api(`/websites/${websiteId}/annotations/${annotation.id}`, { method: 'POST', body: { ...fields, allDay: annotation.allDay } });
      setEditing(null);
      setError('');
      reload();
    } catch (failure) {
      setError(failureText(failure, 'Could not save the annotation'));
    }
  };
  const remove = async (annotation: Annotation) => {
    try {
      await api(`/websites/${websiteId}/annotations/${annotation.id}`, { method: 'DELETE' });
      reload();
    } catch (failure) {
      setError(failureText(failure, 'Could not delete the annotation'));
    }
  };
  if (!canWrite && annotations.length === 0) return null;
  return (
    <div class="annotations">
      {annotations.length > 0 && (
        <ul aria-label="Annotations">
          {[...annotations].reverse().map((a) =>
            editing === a.id ? (
              <li key={a.id}>
                <form class="edit-annotation" aria-label={`Edit the annotation ${a.note}`} onSubmit={(event) => save(event, a)}>
                  <input type="date" name="date" aria-label="Annotation date" value={dayString(new Date(a.date))} required />
                  <input type="text" name="note" aria-label="Annotation note" value={a.note} maxLength={1000} required />
                  <button type="submit">Save</button>
                  <button type="button" class="link" onClick={() => setEditing(null)}>
                    Cancel
                  </button>
                </form>
              </li>
            ) : (
              <li key={a.id}>
                <time>{new Date(a.date).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' })}</time> {a.note}
                {canWrite && (
                  <>
                    <button type="button" class="link" aria-label={`Edit the annotation ${a.note}`} onClick={() => setEditing(a.id)}>
                      ✎
                    </button>
                    <button type="button" class="link" aria-label={`Delete the annotation ${a.note}`} onClick={() => remove(a)}>
                      ×
                    </button>
                  </>
                )}
              </li>
            ),
          )}
        </ul>
      )}
      {canWrite && (
        <form class="add-annotation" aria-label="Add an annotation" onSubmit={add}>
          <input type="date" name="date" aria-label="Annotation date" value={dayString(new Date())} max={dayString(new Date())} required />
          <input type="text" name="note" aria-label="Annotation" placeholder="Note on the chart, e.g. “Newsletter sent”" maxLength={1000} required />
          <button type="submit">Annotate</button>
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
