/** A bench's sign-in and website on a running collector, over its HTTP API. */

/** Signs in and returns the token. */
export async function signIn(url: string, username: string, password: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`sign-in as ${username} failed: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { token: string }).token;
}

/** Creates a website named "bench" on example.com and returns its id. */
export async function createBenchSite(url: string, token: string): Promise<string> {
  const created = await fetch(`${url}/api/websites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', domain: 'example.com' }),
  });
  if (!created.ok) throw new Error(`creating the bench website failed: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { id: string }).id;
}
