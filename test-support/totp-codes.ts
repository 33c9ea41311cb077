import { base32Decode, stepAt, totpCode, totpParams } from '../collector/src/auth/totp';

/** Codes for the current step and its neighbours, taken early in a step so all three stay valid. */
export async function codesFor(manualKey: string) {
  const msIntoStep = Date.now() % (totpParams.periodSeconds * 1000);
  if (msIntoStep > 20_000) await new Promise((resolve) => setTimeout(resolve, totpParams.periodSeconds * 1000 - msIntoStep + 50));
  const secret = base32Decode(manualKey);
  const step = stepAt(Date.now());
  return { previous: totpCode(secret, step - 1), current: totpCode(secret, step), next: totpCode(secret, step + 1) };
}
