import { useState } from 'preact/hooks';
import { NewPasswordFields } from './account-access';
import { api, failureText, type SetupStep as Step } from './api';
import { TwoFactor } from './two-factor';

/**
 * What an account must do before anything else: choose its own password (one an admin chose, or
 * the generated first one), or turn on two-factor sign-in when an admin requires it of everyone.
 */
export function SetupStep({ step, onDone }: { step: Exclude<Step, null>; onDone: () => void }) {
  const [error, setError] = useState('');
  if (step === 'two-factor') {
    return (
      <section>
        <h1>Turn on two-factor sign-in</h1>
        <p>An admin requires two-factor sign-in for every account. Set it up to go on.</p>
        <TwoFactor />
        <button type="button" onClick={onDone}>
          Continue
        </button>
      </section>
    );
  }
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    const newPassword = String(fields.get('password') ?? '');
    if (newPassword !== fields.get('again')) return setError('The two passwords differ.');
    try {
      await api('/auth/me/password', { method: 'PUT', body: { currentPassword: fields.get('current'), newPassword } });
      onDone();
    } catch (failure) {
      setError(failureText(failure, 'Could not change the password'));
    }
  };
  return (
    <section>
      <h1>Choose your own password</h1>
      <form class="card" onSubmit={submit}>
        <p>Someone else chose the password you signed in with. Choose your own before you go on.</p>
        <label>
          The password you were given
          <input name="current" type="password" autoComplete="current-password" required />
        </label>
        <NewPasswordFields />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">Save my password</button>
      </form>
    </section>
  );
}
