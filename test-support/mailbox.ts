import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * A real SMTP server in the test process (the `smtp-server` package, on loopback): the collector
 * sends to it over SMTP as it would to any mail server, and tests read what arrived.
 */
export class Mailbox {
  readonly received: ReceivedMail[] = [];
  #server: SMTPServer | null = null;
  port = 0;

  async start(): Promise<this> {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            for (const recipient of session.envelope.rcptTo) {
              this.received.push({ to: recipient.address.toLowerCase(), subject: mail.subject ?? '', text: mail.text ?? '' });
            }
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The mails to an address so far. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to === address.toLowerCase());
  }

  /** Waits until `count` mails have reached an address, and answers the last. */
  async waitFor(address: string, count = 1, timeoutMs = 15_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.to(address).length < count) {
      if (Date.now() > deadline) throw new Error(`no mail number ${count} to ${address} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.to(address).at(-1)!;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

/** The secret of a dashboard link in a mail (`…/#/reset/<secret>`), or of a code (six digits). */
export const linkSecret = (mail: ReceivedMail, kind: 'signup' | 'reset') => new RegExp(`/#/${kind}/([A-Za-z0-9_-]+)`).exec(mail.text)?.[1] ?? '';
export const mailedCode = (mail: ReceivedMail) => /\b(\d{6})\b/.exec(mail.text)?.[1] ?? '';
