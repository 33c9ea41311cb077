import { describe, expect, it } from 'vitest';
import { funnelFigures, parseSteps, stepPattern } from './funnel-steps';

describe('funnel steps', () => {
  it("figures as Umami's: previous, dropped, drop-off and remaining", () => {
    const steps = parseSteps('[{"type":"path","value":"/"},{"type":"event","value":"signup"},{"type":"path","value":"/thanks"}]');
    expect(funnelFigures(steps, [10, 4, 0])).toEqual([
      { type: 'path', value: '/', visitors: 10, previous: 0, dropped: 0, dropoff: 0, remaining: 1 },
      { type: 'event', value: 'signup', visitors: 4, previous: 10, dropped: 6, dropoff: 0.6, remaining: 0.4 },
      { type: 'path', value: '/thanks', visitors: 0, previous: 4, dropped: 4, dropoff: 1, remaining: 0 },
    ]);
  });

  it('read `*` at either end as any text, escaping what LIKE would read', () => {
    expect(stepPattern('/blog*')).toBe('/blog%');
    expect(stepPattern('*/edit')).toBe('%/edit');
    expect(stepPattern('/a_b%*')).toBe('/a\\_b\\%%');
    expect(stepPattern('/exact')).toBe(null);
  });
});
