import { useState } from 'preact/hooks';
import { api, failureText, type ImportedRange } from './api';
import { formatNumber } from './format';
import { useRead } from './use-read';

interface ImportSummary {
  files: { name: string; table: string; rows: number }[];
  skipped: string[];
}

/**
 * A website's imported figures (editors): upload the zip of Plausible's "export all stats" (its
 * days replace those already imported), see what is imported, remove it all.
 */
export function ImportedFigures({ websiteId }: { websiteId: string }) {
  const base = `/websites/${websiteId}/imported`;
  const { data, error, reload } = useRead<{ data: ImportedRange[] }>(base, 'Could not read the imported figures');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setMessage(null);
    try {
      const summary = await api<ImportSummary>(`/websites/${websiteId}/import/plausible`, {
        method: 'POST',
        file: file.type ? file : new Blob([file], { type: 'application/zip' }),
      });
      const rows = summary.files.reduce((sum, f) => sum + f.rows, 0);
      setMessage({ text: `Imported ${formatNumber(rows)} rows from ${summary.files.length} files of ${file.name}.`, failed: false });
      reload();
    } catch (failure) {
      setMessage({ text: failureText(failure, 'Could not import the file'), failed: true });
    } finally {
      setBusy(false);
      input.value = '';
    }
  };
  const remove = async () => {
    if (!confirm('Remove every imported figure of this website? Its own events stay.')) return;
    try {
      await api(base, { method: 'DELETE' });
      setMessage({ text: 'The imported figures were removed.', failed: false });
      reload();
    } catch (failure) {
      setMessage({ text: failureText(failure, 'Could not remove the imported figures'), failed: true });
    }
  };

  const ranges = data?.data ?? [];
  return (
    <div class="imported-figures" aria-busy={busy || data === null}>
      <h3>Imported figures</h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {ranges.length === 0 && data !== null && <p class="muted">None. Import the zip of Plausible’s “Export all stats” to see its history here.</p>}
      {ranges.map((range) => (
        <p key={range.source}>
          From {range.source === 'plausible' ? 'Plausible' : range.source}: {range.firstDay} to {range.lastDay}, {formatNumber(range.days)} days,{' '}
          {formatNumber(range.pageviews)} pageviews.{' '}
          <button type="button" class="link danger" onClick={remove}>
            Remove imported figures…
          </button>
        </p>
      ))}
      <label>
        Import Plausible’s CSV export (.zip)
        <input type="file" accept=".zip,application/zip" disabled={busy} onChange={(e) => upload(e.currentTarget as HTMLInputElement)} />
      </label>
      {message && (
        <p class={message.failed ? 'error' : 'notice'} role={message.failed ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </div>
  );
}
