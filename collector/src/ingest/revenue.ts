/**
 * What an event earned, from its data: `data.commerce` (`{currency, items: [{price, quantity}],
 * orderId, tax, shipping}`) or Umami's convention (`data.revenue` with `data.currency`). Pure.
 */
export interface Revenue {
  /** ISO 4217, upper case. */
  currency: string;
  /** Items (price × quantity) plus tax and shipping, to four decimals. */
  revenue: number;
  /** The order's id: an order sent twice is counted once. Empty when none was given. */
  orderId: string;
}

export const revenueLimits = { items: 100, amount: 1e12, orderId: 100 } as const;

const amount = (value: unknown): number | null => {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && Math.abs(number) <= revenueLimits.amount ? number : null;
};

const currencyOf = (value: unknown) => (typeof value === 'string' && /^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : null);

/** The event's revenue, null when it carries none, or the problem (a 400's message) with what it carries. */
export function revenueOf(data: Record<string, unknown> | undefined): Revenue | { problem: string } | null {
  if (!data) return null;
  const commerce = data.commerce;
  if (commerce !== undefined) {
    if (typeof commerce !== 'object' || commerce === null || Array.isArray(commerce)) return { problem: 'data.commerce must be an object' };
    const order = commerce as Record<string, unknown>;
    const currency = currencyOf(order.currency);
    if (!currency) return { problem: 'data.commerce.currency must be a three-letter ISO 4217 code' };
    const items = order.items ?? [];
    if (!Array.isArray(items) || items.length > revenueLimits.items) return { problem: `data.commerce.items must be a list of at most ${revenueLimits.items}` };
    let total = 0;
    for (const item of items) {
      const price = amount((item as Record<string, unknown> | null)?.price);
      const quantity = (item as Record<string, unknown>)?.quantity === undefined ? 1 : amount((item as Record<string, unknown>).quantity);
      if (price === null || quantity === null || quantity < 0) return { problem: 'each data.commerce item needs a numeric price and a quantity of 0 or more' };
      total += price * quantity;
    }
    for (const extra of ['tax', 'shipping'] as const) {
      if (order[extra] === undefined) continue;
      const value = amount(order[extra]);
      if (value === null) return { problem: `data.commerce.${extra} must be a number` };
      total += value;
    }
    const orderId = order.orderId === undefined ? '' : String(order.orderId);
    if (orderId.length > revenueLimits.orderId) return { problem: `data.commerce.orderId is longer than ${revenueLimits.orderId} characters` };
    return { currency, revenue: Number(total.toFixed(4)), orderId };
  }
  if (data.revenue === undefined) return null;
  const revenue = amount(data.revenue);
  const currency = currencyOf(data.currency);
  if (revenue === null || !currency) return { problem: 'data.revenue must be a number and data.currency a three-letter ISO 4217 code' };
  const orderId = data.orderId === undefined ? '' : String(data.orderId).slice(0, revenueLimits.orderId);
  return { currency, revenue: Number(revenue.toFixed(4)), orderId };
}
