import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revenueOf } from './revenue';

describe('revenue from event data', () => {
  it('sums items, tax and shipping of data.commerce to the cent, and upper-cases the currency', () => {
    expect(
      revenueOf({ commerce: { currency: 'eur', items: [{ price: 19.99, quantity: 2 }, { price: '5.5' }], tax: 4.2, shipping: 3, orderId: 'A-17' } }),
    ).toEqual({ currency: 'EUR', revenue: 52.68, orderId: 'A-17' });
  });

  it("takes Umami's data.revenue and data.currency", () => {
    expect(revenueOf({ revenue: '12.5', currency: 'usd' })).toEqual({ currency: 'USD', revenue: 12.5, orderId: '' });
    expect(revenueOf({ plan: 'pro' })).toBe(null);
  });

  it('names the problem of anything else, and never throws', () => {
    expect(revenueOf({ commerce: { currency: 'euro', items: [] } })).toEqual({ problem: expect.stringContaining('ISO 4217') });
    expect(revenueOf({ commerce: { currency: 'EUR', items: [{ price: 'free' }] } })).toEqual({ problem: expect.stringContaining('price') });
    expect(revenueOf({ revenue: 10 })).toEqual({ problem: expect.stringContaining('currency') });
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (commerce, revenue) => {
        const result = revenueOf({ commerce, revenue, currency: 'EUR' });
        if (result && 'revenue' in result) expect(Number.isFinite(result.revenue)).toBe(true);
      }),
    );
  });

  it('equals a plain sum for any basket', () => {
    const item = fc.record({ price: fc.integer({ min: 0, max: 1_000_000 }).map((c) => c / 100), quantity: fc.integer({ min: 0, max: 50 }) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), fc.integer({ min: 0, max: 10_000 }), (items, taxCents) => {
        const cents = items.reduce((sum, i) => sum + Math.round(i.price * 100) * i.quantity, 0) + taxCents;
        const result = revenueOf({ commerce: { currency: 'EUR', items, tax: taxCents / 100 } });
        expect(result).toEqual({ currency: 'EUR', revenue: cents / 100, orderId: '' });
      }),
    );
  });
});
