import type { Mail } from './mailer';

// The mail the collector sends, as plain text. Every link carries its secret after `#`, so it
// never reaches a server's access log, and the dashboard reads it from there.

export function invitationMail(to: string, link: string, inviter: string, teamName: string | null, days: number): Mail {
  return {
    to,
    subject: teamName ? `You are invited to the team ${teamName}` : 'You are invited to our web analytics',
    text: [
      `${inviter} invites you to ${teamName ? `the team ${teamName} on ` : ''}our web analytics.`,
      '',
      `Create your account here (the link works once, for ${days} days):`,
      link,
      '',
      'If you did not expect this, ignore this message.',
    ].join('\n'),
  };
}

export function resetMail(to: string, link: string): Mail {
  return {
    to,
    subject: 'Reset your password',
    text: [
      'Someone (we hope you) asked to reset the password of your web analytics account.',
      '',
      'Choose a new password here (the link works once, for one hour):',
      link,
      '',
      'Choosing one signs out every session and revokes every API key of the account.',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

export function codeMail(to: string, code: string): Mail {
  return {
    to,
    subject: `Your verification code: ${code}`,
    text: [`Your code to verify this email address is ${code}.`, '', 'It works once, for 10 minutes.'].join('\n'),
  };
}
