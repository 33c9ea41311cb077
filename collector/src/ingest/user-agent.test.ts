import { describe, expect, it } from 'vitest';
import { describeAgent, deviceOf } from './user-agent';

// Devices as Umami names them, from the User-Agent, without the engine.

describe('devices', () => {
  const agent = (ua: string) => describeAgent(ua);
  it("follow Umami's buckets: the UA's own type, else the screen width, desktop OS as desktop or laptop", () => {
    const iphone = agent(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    );
    const windows = agent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
    const chromebook = agent('Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
    expect(deviceOf(iphone, '390x844')).toBe('mobile');
    expect(deviceOf(windows, '2560x1440')).toBe('desktop');
    expect(deviceOf(windows, '1366x768')).toBe('laptop');
    expect(deviceOf(chromebook, '2560x1440')).toBe('laptop');
    const unknown = { ...windows, os: 'Unknown OS', deviceType: '' };
    expect([
      deviceOf(unknown, '2000x1000'),
      deviceOf(unknown, '1200x800'),
      deviceOf(unknown, '600x800'),
      deviceOf(unknown, '300x600'),
      deviceOf(unknown, ''),
    ]).toEqual(['desktop', 'laptop', 'tablet', 'mobile', '']);
  });
});
