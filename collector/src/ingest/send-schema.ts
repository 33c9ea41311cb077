/**
 * JSON Schema of Umami's beacon, `POST /api/send`. Limits follow Umami's: hostname 100,
 * language 35, screen 11, event name and tag 50. url, referrer and title are accepted up to
 * 2,000 characters and stored cut to 500. Unknown extra fields are ignored.
 */

export const sendBodySchema = {
  type: 'object',
  required: ['type', 'payload'],
  properties: {
    type: { type: 'string', enum: ['event', 'identify'] },
    payload: {
      type: 'object',
      required: ['website'],
      properties: {
        website: { type: 'string', maxLength: 36 },
        hostname: { type: 'string', maxLength: 100 },
        language: { type: 'string', maxLength: 35 },
        referrer: { type: 'string', maxLength: 2000 },
        screen: { type: 'string', maxLength: 11 },
        title: { type: 'string', maxLength: 2000 },
        url: { type: 'string', maxLength: 2000 },
        name: { type: 'string', maxLength: 50 },
        tag: { type: 'string', maxLength: 50 },
        id: { type: 'string', maxLength: 50 },
        data: { type: 'object' },
      },
    },
  },
} as const;

export interface SendPayload {
  website: string;
  hostname?: string;
  language?: string;
  referrer?: string;
  screen?: string;
  title?: string;
  url?: string;
  name?: string;
  tag?: string;
  id?: string;
  data?: Record<string, unknown>;
}

export interface SendBody {
  type: 'event' | 'identify';
  payload: SendPayload;
}
