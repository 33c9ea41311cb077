import { useState } from 'preact/hooks';
import { api, failureText } from './api';
import { useLoad } from './use-read';

interface ImportRun {
  id: string;
  source: string;
  state: 'running' | 'done' | 'stopped' | 'failed';
  events: number;
  total: number;
  day: string;
  startedAt: string;
  error: string | null;
  websites: { id: string; name: string; created: boolean }[];
  eventsPerSecond: number;
}

const isRunning = (run: ImportRun) => run.state === 'running';

const stateText = { running: 'Importing', done: 'Imported', stopped: 'Stopped (start again to resume)', failed: 'Failed' } as const;

/**
 * Admins: import an Umami PostgreSQL database (websites under their ids, with their history) as a
 * background job of the collector, its progress polled every second while it runs.
 */
export function ImportPanel() {
  // While one runs, its progress is read every second.
  const imports = useLoad('imports', (signal) => api<{ data: ImportRun[] }>('/admin/imports', { signal }), {
    fallback: 'Could not read the imports',
    keep: true,
    pollAfter: (answer) => (answer.data.some(isRunning) ? 1000 : undefined),
  });
  const runs = imports.data?.data ?? [];
  const running = runs.some(isRunning);
  const [actionError, setActionError] = useState('');
  const error = actionError || imports.error;

  const start = async (event: SubmitEvent) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    setActionError('');
    try {
      await api('/admin/imports', { method: 'POST', body: { source: 'umami', databaseUrl: fields.get('databaseUrl') } });
      imports.reload();
    } catch (failure) {
      setActionError(failureText(failure, 'Could not start the import'));
    }
  };
  const stop = async (run: ImportRun) => {
    try {
      await api(`/admin/imports/${run.id}`, { method: 'DELETE' });
      imports.reload();
    } catch (failure) {
      setActionError(failureText(failure, 'Could not stop the import'));
    }
  };

  return (
    <section class="card imports" aria-labelledby="imports-heading">
      <h2 id="imports-heading">Import from Umami</h2>
      <p class="hint">
        Brings an Umami PostgreSQL database's websites (under their own ids) and history here, owned by you. Running it again resumes and adds nothing twice.
        From the command line: <code>npm run import -- umami --database-url …</code>
      </p>
      <form class="inline" onSubmit={start}>
        <label>
          Database URL
          <input name="databaseUrl" required placeholder="postgres://user:password@host:5432/umami" autoComplete="off" />
        </label>
        <button type="submit" disabled={running}>
          Start import
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {runs.map((run) => {
        const share = run.total > 0 ? run.events / run.total : run.state === 'done' ? 1 : 0;
        return (
          <div class="import-run" data-state={run.state} key={run.id}>
            <p>
              <strong>{stateText[run.state]}</strong> <span class="muted">{run.source}</span>
            </p>
            <progress max={1} value={share} aria-label={`Import of ${run.source}`} />
            <p class="muted" aria-live="polite">
              {Math.round(share * 100)}%: {run.events.toLocaleString()} of {run.total.toLocaleString()} events
              {run.day ? `, up to ${run.day}` : ''}
              {run.eventsPerSecond ? `, ${run.eventsPerSecond.toLocaleString()} events/s` : ''}
            </p>
            {run.websites.length > 0 && (
              <p>
                {run.websites.map((w) => (
                  <a href={`#/websites/${w.id}?range=12m`} class="import-site">
                    {w.name}
                  </a>
                ))}
              </p>
            )}
            {run.error && <p class="error">{run.error}</p>}
            {run.state === 'running' && (
              <button type="button" class="link" onClick={() => stop(run)}>
                Stop
              </button>
            )}
          </div>
        );
      })}
    </section>
  );
}
