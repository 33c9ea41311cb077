import nodemailer, { type Transporter } from 'nodemailer';
import { ApiError } from '../errors';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Outgoing mail over SMTP (nodemailer), when SMTP_URL is set. Without it nothing is sent and the
 * routes that would send hand the link to whoever asked (an admin) instead: `configured` says which.
 */
export class Mailer {
  readonly #transport: Transporter | null;

  constructor(
    smtpUrl: string | null,
    private readonly from: string,
  ) {
    // Plain text only; a slow or silent server gives up after 10 s rather than holding a request.
    this.#transport = smtpUrl ? nodemailer.createTransport(smtpOptions(smtpUrl)) : null;
  }

  get configured(): boolean {
    return this.#transport !== null;
  }

  /** Sends one message; 503 `mail-not-configured` without SMTP_URL. */
  async send({ to, subject, text }: Mail): Promise<void> {
    if (!this.#transport) throw new ApiError('mailNotConfigured');
    await this.#transport.sendMail({ from: this.from, to, subject, text });
  }

  close(): void {
    this.#transport?.close();
  }
}

/** SMTP_URL as nodemailer's options: smtps:// is TLS from the start (465), smtp:// upgrades with STARTTLS when offered. */
export function smtpOptions(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}
