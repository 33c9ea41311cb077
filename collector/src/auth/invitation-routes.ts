import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ApiError } from '../errors';
import { invitationMail, resetMail } from '../mail/messages';
import { NoBody, Nullable, Ok, StringEnum, Uuid } from '../shared/schema';
import { teamCan, type Teams } from '../teams/teams';
import { EmailSchema } from './account-routes';
import type { AuthDeps } from './auth-deps';
import { currentUser } from './guard';
import { dashboardLink } from './links';
import { ticketLifetimeMs, type Ticket } from './tickets';
import { emailKey, roles } from './users';

const InvitationSchema = Type.Object({
  id: Type.String(),
  email: Nullable(Type.String()),
  role: Type.String(),
  teamId: Nullable(Type.String()),
  teamRole: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.String(),
});
/** A new invitation: its link is shown once, here (and mailed when there is an address and SMTP). */
const NewInvitationSchema = Type.Object({ ...InvitationSchema.properties, url: Type.String(), sent: Type.Boolean() });

const invitationOf = (ticket: Ticket) => ({
  id: ticket.id,
  email: ticket.email || null,
  role: ticket.role,
  teamId: ticket.teamId,
  teamRole: ticket.teamRole || null,
  createdBy: ticket.createdBy,
  createdAt: new Date(ticket.createdAt).toISOString(),
  expiresAt: new Date(ticket.expiresAt).toISOString(),
});

const invitationRoles = StringEnum(['team-manager', 'team-member', 'team-view-only']);
const days = ticketLifetimeMs.invite / 86_400_000;

/**
 * Invitations (admins: to the instance with a role, and to any team; a team's owners and
 * managers: to their team), the signup page's look-up, an admin's reset link for a user, and the
 * instance-wide settings.
 */
export const invitationRoutes: FastifyPluginAsyncTypebox<AuthDeps & { teams: Teams }> = async (app, { users, tickets, mailer, teams, publicUrl, settings }) => {
  /** Creates an invitation, mails it when it can, and answers with its link. */
  const invite = async (request: FastifyRequest, fields: { email?: string; role: string; teamId: string | null; teamRole: string; send?: boolean }) => {
    const inviter = currentUser(request);
    const email = emailKey(fields.email ?? '');
    if (email && (await users.findByEmail(email))) throw new ApiError('emailTaken');
    const { ticket, token } = await tickets.create('invite', {
      email,
      role: fields.role,
      teamId: fields.teamId,
      teamRole: fields.teamRole,
      createdBy: inviter.id,
    });
    const url = dashboardLink(request, publicUrl, `signup/${token}`);
    let sent = false;
    if (email && mailer.configured && fields.send !== false) {
      const team = fields.teamId ? await teams.get(fields.teamId) : null;
      await mailer.send(invitationMail(email, url, inviter.name || inviter.username, team?.name ?? null, days));
      sent = true;
    }
    return { ...invitationOf(ticket), url, sent };
  };

  /** The team's role of the asker, refusing those who may not let people in. */
  const manageTeam = async (request: FastifyRequest, teamId: string) => {
    const role = await teams.roleFor(teamId, currentUser(request));
    if (!teamCan.read(role)) throw new ApiError('notFound', 'Team not found');
    if (!teamCan.manage(role)) throw new ApiError('forbidden', "Only the team's owners and managers invite people");
  };

  const inviteBody = {
    email: Type.Optional(Type.Union([EmailSchema, Type.Literal('')])),
    teamRole: Type.Optional(invitationRoles),
    /** False: only make the link (to hand over yourself), even with SMTP set. */
    send: Type.Optional(Type.Boolean()),
  };

  app.post(
    '/api/invitations',
    {
      schema: {
        body: Type.Object({ ...inviteBody, role: Type.Optional(StringEnum(roles)), teamId: Type.Optional(Uuid) }),
        response: { 200: NewInvitationSchema },
      },
      config: { admin: true },
    },
    async (request) => {
      const teamId = request.body.teamId?.toLowerCase() ?? null;
      if (teamId && !(await teams.get(teamId))) throw new ApiError('notFound', 'Team not found');
      return invite(request, { ...request.body, role: request.body.role ?? 'user', teamId, teamRole: teamId ? (request.body.teamRole ?? 'team-member') : '' });
    },
  );

  app.post(
    '/api/teams/:teamId/invitations',
    { schema: { params: Type.Object({ teamId: Uuid }), body: Type.Object(inviteBody), response: { 200: NewInvitationSchema } }, config: { write: true } },
    async (request) => {
      const teamId = request.params.teamId.toLowerCase();
      await manageTeam(request, teamId);
      return invite(request, { ...request.body, role: 'user', teamId, teamRole: request.body.teamRole ?? 'team-member' });
    },
  );

  const Invitations = Type.Object({ data: Type.Array(InvitationSchema) });
  app.get('/api/invitations', { schema: { response: { 200: Invitations } }, config: { admin: true } }, async () => ({
    data: (await tickets.list('invite')).map(invitationOf),
  }));

  app.get('/api/teams/:teamId/invitations', { schema: { params: Type.Object({ teamId: Uuid }), response: { 200: Invitations } } }, async (request) => {
    const teamId = request.params.teamId.toLowerCase();
    await manageTeam(request, teamId);
    return { data: (await tickets.list('invite', { teamId })).map(invitationOf) };
  });

  app.delete(
    '/api/invitations/:invitationId',
    { schema: { params: Type.Object({ invitationId: Uuid }), body: NoBody, response: { 200: Ok } }, config: { write: true } },
    async (request) => {
      const ticket = await tickets.byId(request.params.invitationId.toLowerCase());
      if (ticket?.kind !== 'invite') throw new ApiError('notFound', 'Invitation not found');
      if (currentUser(request).role !== 'admin') {
        if (!ticket.teamId) throw new ApiError('notFound', 'Invitation not found');
        await manageTeam(request, ticket.teamId);
      }
      await tickets.revoke(ticket);
      return { ok: true } as const;
    },
  );

  // The signup page shows what an invitation is for before anyone types a password.
  app.post(
    '/api/auth/invitation',
    {
      schema: {
        body: Type.Object({ token: Type.String({ maxLength: 256 }) }),
        response: { 200: Type.Object({ email: Nullable(Type.String()), teamName: Nullable(Type.String()), role: Type.String(), expiresAt: Type.String() }) },
      },
      config: { public: true },
      bodyLimit: 4096,
    },
    async (request) => {
      const ticket = await tickets.find('invite', request.body.token);
      if (!ticket) throw new ApiError('invalidInvitation');
      const team = ticket.teamId ? await teams.get(ticket.teamId) : null;
      return { email: ticket.email || null, teamName: team?.name ?? null, role: ticket.role, expiresAt: new Date(ticket.expiresAt).toISOString() };
    },
  );

  // An admin makes a reset link for a user: mailed when SMTP is set and the user has an address, and shown here to hand over.
  app.post(
    '/api/users/:userId/reset-link',
    {
      schema: {
        params: Type.Object({ userId: Uuid }),
        body: NoBody,
        response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.String(), sent: Type.Boolean() }) },
      },
      config: { admin: true },
    },
    async (request) => {
      const user = await users.findById(request.params.userId.toLowerCase());
      if (!user) throw new ApiError('notFound', 'User not found');
      const { ticket, token } = await tickets.create('reset', { userId: user.id, email: user.email, createdBy: currentUser(request).id });
      const url = dashboardLink(request, publicUrl, `reset/${token}`);
      const sent = Boolean(user.email) && mailer.configured;
      if (sent) await mailer.send(resetMail(user.email, url));
      return { url, expiresAt: new Date(ticket.expiresAt).toISOString(), sent };
    },
  );

  const SettingsSchema = Type.Object({ forceTwoFactor: Type.Boolean(), mailConfigured: Type.Boolean() });
  app.get('/api/admin/settings', { schema: { response: { 200: SettingsSchema } }, config: { admin: true } }, async () => ({
    ...(await settings.get()),
    mailConfigured: mailer.configured,
  }));
  app.post(
    '/api/admin/settings',
    { schema: { body: Type.Object({ forceTwoFactor: Type.Optional(Type.Boolean()) }), response: { 200: SettingsSchema } }, config: { admin: true } },
    async (request) => ({ ...(await settings.set(request.body)), mailConfigured: mailer.configured }),
  );
};
