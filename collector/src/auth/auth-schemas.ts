import { Type } from 'typebox';
import { DateText, Nullable, PageOf } from '../shared/schema';
import { TeamRoleSchema, TeamSchema } from '../teams/teams';
import { roles } from './users';
import { StringEnum } from '../shared/schema';

// The auth API's answers, in Umami's shapes: the routes' response schemas. Never any password
// material: a field not named here does not leave the server.

/** The user as the API shows it (publicUser). */
export const PublicUserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: StringEnum(roles),
  createdAt: DateText,
  isAdmin: Type.Boolean(),
  /** Lower case, or null when the account has none. */
  email: Nullable(Type.String()),
  /** The display name, or null. */
  name: Nullable(Type.String()),
  emailVerified: Type.Boolean(),
});

/** A user in the admin's list: with whether two-factor sign-in is on. */
export const ListedUserSchema = Type.Object({ ...PublicUserSchema.properties, twoFactorEnabled: Type.Boolean() });
export const UsersPage = PageOf(ListedUserSchema);

/** Umami's login user: with the teams the user is in and their role in each (no access codes). */
export const LoginUserSchema = Type.Object({
  ...PublicUserSchema.properties,
  teams: Type.Array(Type.Object({ ...Type.Omit(TeamSchema, ['accessCode']).properties, role: Nullable(TeamRoleSchema) })),
});

const SignedIn = Type.Object({ token: Type.String(), user: LoginUserSchema, deviceToken: Type.String() });
/** Umami's answer when a second factor is needed; the client then posts /api/2fa/verify. */
const SecondFactorNeeded = Type.Object({ requiresTwoFactor: Type.Literal(true), partialToken: Type.String() });
export const LoginAnswer = Type.Union([SignedIn, SecondFactorNeeded]);
export const SignedInAnswer = SignedIn;

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  keyPrefix: Type.String(),
  createdAt: DateText,
  expiresAt: Nullable(DateText),
  lastUsedAt: Nullable(DateText),
  /** True when the key ends with the session that made it (the default). */
  boundToSession: Type.Boolean(),
});
/** A new key: the only time its secret is shown. */
export const NewApiKeySchema = Type.Object({ ...ApiKeySchema.properties, key: Type.String() });

export const MeAnswer = Type.Object({
  authType: StringEnum(['session', 'api-key', 'share']),
  user: PublicUserSchema,
  apiKey: Type.Optional(Type.Object({ id: Type.String(), name: Type.String() })),
  /** What the account must do before any other route answers: choose its own password, or turn on two-factor sign-in. */
  setupRequired: Nullable(StringEnum(['password', 'two-factor'])),
});

export const TwoFactorStatus = Type.Object({
  isEnabled: Type.Boolean(),
  isConfigured: Type.Boolean(),
  isRequired: Type.Boolean(),
  globalRequired: Type.Boolean(),
  requiredReason: Type.Null(),
});
export const TwoFactorSetup = Type.Object({ manualKey: Type.String(), otpauthUri: Type.String() });
