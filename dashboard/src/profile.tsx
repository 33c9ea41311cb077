import { useEffect, useState } from 'preact/hooks';
import { api, failureText, type Me } from './api';

/** The verify-otp route takes a form (multipart/form-data), as reference document 002 has it. */
async function verifyCode(code: string, otpToken: string): Promise<void> {
  const form = new FormData();
  form.set('otp', code);
  form.set('token', otpToken);
  const response = await fetch('/api/auth/verify-otp', { method: 'POST', body: form });
  if (!response.ok) throw new Error(((await response.json()) as { error?: { message?: string } }).error?.message ?? 'The code is not valid');
}

/** Name, email address and its verification by a mailed code. */
export function Profile() {
  const [me, setMe] = useState<Me | null>(null);
  const [otpToken, setOtpToken] = useState<string | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () => api<Me>('/auth/me').then(setMe);
  useEffect(() => {
    load().catch((failure) => setStatus({ ok: false, text: failureText(failure, 'Could not read your account') }));
  }, []);

  const run = (action: (fields: FormData) => Promise<unknown>, done: string, fallback: string) => async (event: SubmitEvent) => {
    event.preventDefault();
    try {
      await action(new FormData(event.currentTarget as HTMLFormElement));
      setStatus({ ok: true, text: done });
      await load();
    } catch (failure) {
      setStatus({ ok: false, text: failure instanceof Error && !('status' in failure) ? failure.message : failureText(failure, fallback) });
    }
  };
  const sendCode = async () => {
    try {
      setOtpToken(await api<string>('/auth/me/send-otp', { method: 'POST' }));
      setStatus({ ok: true, text: `A code is on its way to ${me?.email}. It works once, for 10 minutes.` });
    } catch (failure) {
      setStatus({ ok: false, text: failureText(failure, 'Could not send a code') });
    }
  };

  if (!me) return <p class="loading-inline">Loading…</p>;
  return (
    <div class="card profile">
      <h2>Profile</h2>
      <form
        class="inline"
        onSubmit={run((f) => api('/auth/me/name', { method: 'PUT', body: { name: f.get('name') } }), 'Name saved.', 'Could not save the name')}
      >
        <label>
          Name
          <input name="name" maxLength={100} value={me.name ?? ''} key={me.name ?? ''} />
        </label>
        <button type="submit">Save name</button>
      </form>
      <form
        class="inline"
        onSubmit={run(
          (f) => api('/auth/me/email', { method: 'PUT', body: { email: f.get('email'), currentPassword: f.get('current') } }),
          'Email address saved. Verify it with a code.',
          'Could not save the email address',
        )}
      >
        <label>
          Email address
          <input name="email" type="email" maxLength={254} value={me.email ?? ''} key={me.email ?? ''} />
        </label>
        <label>
          Your password
          <input name="current" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit">Save address</button>
      </form>
      {me.email && (
        <p>
          {me.emailVerified ? (
            <span class="verified">✓ {me.email} is verified.</span>
          ) : (
            <>
              {me.email} is not verified.{' '}
              <button type="button" class="link" onClick={sendCode}>
                Send me a code
              </button>
            </>
          )}
        </p>
      )}
      {otpToken && !me.emailVerified && (
        <form class="inline" onSubmit={run((f) => verifyCode(String(f.get('code') ?? '').trim(), otpToken), 'Email address verified.', 'Could not verify')}>
          <label>
            Code from the mail
            <input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required />
          </label>
          <button type="submit">Verify</button>
        </form>
      )}
      {status && (
        <p class={status.ok ? 'notice' : 'error'} role={status.ok ? 'status' : 'alert'}>
          {status.text}
        </p>
      )}
    </div>
  );
}
