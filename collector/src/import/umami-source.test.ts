import { describe, expect, it } from 'vitest';
import { describeSource, parseDatabaseUrl, SourceError, sourceTable, stringLiteral } from './umami-source';

describe('an Umami database URL', () => {
  it('gives the address, database, user, password and schema, decoded', () => {
    expect(parseDatabaseUrl('postgres://umami:p%40ss%27word@db.example:6432/umami_prod?schema=analytics')).toEqual({
      address: 'db.example:6432',
      database: 'umami_prod',
      user: 'umami',
      password: "p@ss'word",
      schema: 'analytics',
    });
    expect(parseDatabaseUrl('postgresql://localhost/umami')).toMatchObject({ address: 'localhost:5432', user: 'postgres', password: '', schema: 'public' });
    expect(parseDatabaseUrl('postgres://u@[::1]:5433/db').address).toBe('::1:5433');
  });

  it('refuses what is not a PostgreSQL URL with a message that says what is wanted', () => {
    for (const bad of ['umami', 'mysql://u@h/db', 'postgres://host', 'postgres:///db']) expect(() => parseDatabaseUrl(bad), bad).toThrow(SourceError);
  });

  it('quotes every value as data in the table function, and never prints the password', () => {
    expect(stringLiteral("a'b\\c")).toBe("'a\\'b\\\\c'");
    const source = parseDatabaseUrl("postgres://u:x'%5C)%20--@h:1/d");
    expect(source.password).toBe("x'\\) --");
    expect(sourceTable(source, 'website')).toBe("postgresql('h:1', 'd', 'website', 'u', 'x\\'\\\\) --', 'public')");
    expect(describeSource(source)).toBe('postgres://u@h:1/d?schema=public');
  });
});
