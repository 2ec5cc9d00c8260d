import { SubscriptionMatcher } from '../../src/consumer/subscription-matcher';

describe('SubscriptionMatcher', () => {
  const existing = ['orders', 'orders-eu', 'old-orders', '__consumer_offsets', 'payments'];

  it('takes a list as it is, existing or not', () => {
    expect(new SubscriptionMatcher(['payments', 'missing', 'payments']).match(existing)).toEqual(['missing', 'payments']);
  });

  it('matches a pattern as RegExp#test does, and never internal topics', () => {
    expect(new SubscriptionMatcher(/^orders/).match(existing)).toEqual(['orders', 'orders-eu']);
    expect(new SubscriptionMatcher(/orders/).match(existing)).toEqual(['old-orders', 'orders', 'orders-eu']);
    expect(new SubscriptionMatcher(/.*/g).match(existing)).toEqual(['old-orders', 'orders', 'orders-eu', 'payments']);
  });
});
