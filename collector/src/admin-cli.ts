// npm run admin -- reset-password USERNAME [--password-stdin] [--clear-two-factor]
// npm run admin -- create-admin USERNAME [--password-stdin]
// For an operator locked out of the dashboard (a lost admin password). Reads the same environment
// as the collector (DATA_DIR, CLICKHOUSE_URL, …). On the embedded engine the collector must be
// stopped first: one process at a time may open a DATA_DIR.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { passwordProblem, usernameProblem } from './auth/account-rules';
import { ApiKeys } from './auth/api-keys';
import { Tokens } from './auth/tokens';
import { Users } from './auth/users';
import { CliError, runCli } from './cli';
import { loadConfig } from './config';
import { openStorage } from './storage/client';
import { migrate } from './storage/migrate';

const usage = `Usage:
  npm run admin -- reset-password USERNAME [--password-stdin] [--clear-two-factor]
  npm run admin -- create-admin USERNAME [--password-stdin]
Without --password-stdin a password is generated and printed once.
--clear-two-factor also turns off the user's two-factor sign-in (a lost phone).`;

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.replace(/\r?\n$/, '');
}

async function main(): Promise<string> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'password-stdin': { type: 'boolean', default: false }, 'clear-two-factor': { type: 'boolean', default: false } },
  });
  const [command, username] = positionals;
  if ((command !== 'reset-password' && command !== 'create-admin') || !username || positionals.length !== 2) throw new CliError(usage);
  const password = values['password-stdin'] ? await readStdin() : randomBytes(12).toString('base64url');
  // What can be refused without the database is refused before opening it.
  const problem = passwordProblem(password, username);
  if (problem) throw new CliError(`The password is refused: ${problem}`);
  const nameProblem = command === 'create-admin' ? usernameProblem(username) : null;
  if (nameProblem) throw new CliError(`The username is refused: ${nameProblem}`);
  const config = loadConfig();
  let db: Awaited<ReturnType<typeof openStorage>>;
  try {
    db = await openStorage(config);
    await migrate(db, undefined, { shared: config.clickhouse !== null, cluster: config.clickhouse?.cluster ?? null });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = config.clickhouse ? '' : `\nIs the collector running on ${config.dataDir}? Stop it first: one process at a time may open the embedded engine.`;
    throw new CliError(`Could not open the database: ${message}${hint}`);
  }
  try {
    const users = new Users(db);
    const existing = await users.findByUsername(username);
    if (command === 'create-admin') {
      if (existing) throw new CliError(`A user named ${existing.username} exists; use reset-password`);
      await users.create(username.normalize('NFKC'), password, 'admin');
      return values['password-stdin'] ? `Created the admin ${username}.` : `Created the admin ${username} / ${password}\nThis password is shown only now.`;
    }
    if (!existing) throw new CliError(`No user is named ${username}`);
    await users.update(existing, { password, mustChangePassword: false, ...(values['clear-two-factor'] ? { totpSecret: '', totpEnabled: false } : {}) });
    // As when an admin sets a password in the dashboard: every session and API key of the user ends.
    await new Tokens(db).revokeAllOf(existing.id);
    await new ApiKeys(db).revokeAllOf(existing.id);
    const twoFactor = values['clear-two-factor'] ? ' Two-factor sign-in is off.' : '';
    const done = `The password of ${existing.username} is reset; their sessions and API keys have ended.${twoFactor}`;
    return values['password-stdin'] ? done : `${done}\nNew password: ${password}\nThis password is shown only now.`;
  } finally {
    await db.close();
  }
}

runCli(main);
