/**
 * What makes a username or a password acceptable (OWASP ASVS 2.1.7 and the usual rules on
 * usernames): usernames compared case-insensitively after Unicode NFKC normalization, with no
 * invisible or control characters; passwords that are not among the most common ones nor made
 * from the username.
 */

/** A username as it is compared: NFKC, lower case ("Admin", "ａｄｍｉｎ" and "admin" are one user). */
export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase();

// Controls, format characters (zero-width spaces and joiners, bidi marks), private use,
// unassigned code points, line and paragraph separators, and spaces other than the ASCII one.
const invisible = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u;

/** Why a username is refused, or null. */
export function usernameProblem(username: string): string | null {
  if (invisible.test(username)) return 'username must not hold invisible or control characters';
  if (username.normalize('NFKC').trim() !== username.normalize('NFKC')) return 'username must not start or end with a space';
  return null;
}

/**
 * The most common passwords of eight characters or more, from the published breach-corpus top
 * lists (SecLists, NCSC's 100k list); enough to refuse what every guessing list tries first.
 */
const commonPasswords = new Set(
  `password 12345678 123456789 1234567890 qwertyui qwertyuiop password1 password123 iloveyou 11111111 00000000 88888888
  abc12345 abcd1234 1q2w3e4r 1qaz2wsx qwerty123 qwerty12 sunshine princess football baseball welcome1 welcome123
  admin123 administrator letmein1 trustno1 superman batman123 dragon12 monkey123 master12 starwars whatever
  passw0rd p@ssw0rd p@ssword zaq12wsx q1w2e3r4 1q2w3e4r5t asdfghjk asdfghjkl zxcvbnm1 zxcvbnm123 123123123 12341234
  987654321 147258369 123qweasd qweasdzxc 1234qwer qwer1234 changeme changeme1 computer internet michael1 jennifer
  jordan23 liverpool chelsea1 arsenal1 11223344 12121212 123321123 666666666 999999999 987654321 iloveyou1 lovely12
  loveyou1 hello123 charlie1 shadow12 freedom1 mustang1 access14 secret123 default1 pokemon1 samsung1 google123
  qazwsxedc 1qazxsw2 aa123456 a1234567 12qwaszx q1w2e3r4t5 password12 password2 password01 football1 baseball1
  letmein123 adminadmin rootroot toortoor test1234 testtest guest123 welcome12 summer2024 winter2024 spring2024
  autumn2024 summer2025 winter2025 summer2026 winter2026 analytics umami123 umamiumami`
    .split(/\s+/)
    .filter(Boolean),
);

/** Why a password is refused (beyond its length, checked by the schema), or null. */
export function passwordProblem(password: string, username: string): string | null {
  const plain = password.normalize('NFKC').toLowerCase();
  if (commonPasswords.has(plain)) return 'password is one of the most common passwords; choose another';
  const name = usernameKey(username).replace(/[^\p{L}\p{N}]/gu, '');
  if (name.length >= 3) {
    const letters = plain.replace(/[^\p{L}\p{N}]/gu, '');
    if (letters.includes(name) || letters.includes([...name].reverse().join(''))) return 'password must not contain the username';
  }
  if (new Set(plain).size <= 2) return 'password must not repeat one or two characters';
  return null;
}
