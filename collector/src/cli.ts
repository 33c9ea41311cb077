import { ConfigError } from './config';

/** A refusal a command explains itself (usage, a missing user, a busy data directory): its message alone, exit 2. */
export class CliError extends Error {}

/**
 * Runs a command line's `main`: its message on stdout and exit 0; a refusal's message (CliError,
 * ConfigError, or one of `known`) on stderr and exit 2; anything else as a failure, exit 1.
 */
export function runCli(main: () => Promise<string>, known: (new (...args: never[]) => Error)[] = []): void {
  main().then(
    (message) => {
      process.stdout.write(`${message}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      const explained = error instanceof CliError || error instanceof ConfigError || known.some((kind) => error instanceof kind);
      process.stderr.write(`${explained ? (error as Error).message : `Failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`}\n`);
      process.exit(explained ? 2 : 1);
    },
  );
}
