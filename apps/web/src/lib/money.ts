const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

/** Integer cents (the wire format) as a price, e.g. 1299 → "€12.99". */
export function formatCents(cents: number): string {
  return euros.format(cents / 100);
}
