import { useEffect, useState } from 'preact/hooks';
import { resetForm } from './reset-form';
import { encode } from 'uqr';
import { api, failureText } from './api';

interface Status {
  isEnabled: boolean;
  isConfigured: boolean;
}

/** Two-factor sign-in: set up with a QR code of the otpauth URI (or the key typed in), confirm with a code, disable. */
export function TwoFactor() {
  const [status, setStatus] = useState<Status | null>(null);
  const [setup, setSetup] = useState<{ manualKey: string; otpauthUri: string } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () =>
    api<Status>('/2fa/status')
      .then(setStatus)
      .catch((failure) => setMessage({ ok: false, text: failureText(failure, 'Could not read the two-factor status') }));
  useEffect(() => void load(), []);

  const act = (run: () => Promise<unknown>, done: string, fallback: string) => async (event?: Event) => {
    event?.preventDefault();
    const form = event?.currentTarget instanceof HTMLFormElement ? event.currentTarget : null;
    try {
      await run();
      if (form) resetForm(form);
      setMessage(done ? { ok: true, text: done } : null);
      await load();
    } catch (failure) {
      setMessage({ ok: false, text: failureText(failure, fallback) });
    }
  };
  const begin = act(
    async () => setSetup(await api<{ manualKey: string; otpauthUri: string }>('/2fa/setup/initiate', { method: 'POST' })),
    '',
    'Could not start the setup',
  );
  const cancel = act(
    async () => {
      await api('/2fa/setup/cancel', { method: 'POST' });
      setSetup(null);
    },
    '',
    'Could not cancel the setup',
  );
  const withCode = (path: string, done: string, fallback: string) => (event: SubmitEvent) => {
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    return act(
      async () => {
        await api(path, { method: 'POST', body: { password: fields.get('password'), token: String(fields.get('code') ?? '').replace(/\s/g, '') } });
        setSetup(null);
      },
      done,
      fallback,
    )(event);
  };

  return (
    <div class="card" aria-busy={status === null}>
      <h2>Two-factor sign-in</h2>
      {message && (
        <p class={message.ok ? 'notice' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      {status === null ? (
        <p class="loading-inline">Loading…</p>
      ) : status.isEnabled ? (
        <>
          <p>
            <strong>On.</strong> Signing in asks for a code from your authenticator app.
          </p>
          <CodeForm submit={withCode('/2fa/disable', 'Two-factor sign-in is off.', 'Could not turn it off')} action="Turn off" />
        </>
      ) : setup ? (
        <>
          <p>Scan this code with an authenticator app (or type in the key), then enter the code it shows.</p>
          <div class="qr">
            <QrCode text={setup.otpauthUri} />
            <p>
              Key: <code class="manual-key">{setup.manualKey}</code>
            </p>
          </div>
          <CodeForm submit={withCode('/2fa/setup/confirm', 'Two-factor sign-in is on.', 'Could not turn it on')} action="Turn on" />
          <button type="button" class="link" onClick={() => cancel()}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <p>Off. With it on, signing in needs your password and a code from an app on your phone.</p>
          <button type="button" onClick={() => begin()}>
            Set up two-factor sign-in
          </button>
        </>
      )}
    </div>
  );
}

function CodeForm({ submit, action }: { submit: (event: SubmitEvent) => void; action: string }) {
  return (
    <form class="inline" onSubmit={submit}>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <label>
        Code
        <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]{6,8}" required />
      </label>
      <button type="submit">{action}</button>
    </form>
  );
}

/** The text as a QR code, drawn as one SVG path (dark modules on a light quiet zone, readable in dark mode too). */
export function QrCode({ text }: { text: string }) {
  const { data, size } = encode(text, { ecc: 'M', border: 2 });
  let path = '';
  for (const [y, row] of data.entries()) {
    for (const [x, dark] of row.entries()) if (dark) path += `M${x} ${y}h1v1h-1z`;
  }
  return (
    <svg class="qr-code" viewBox={`0 0 ${size} ${size}`} role="img" aria-label="QR code for your authenticator app" shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
