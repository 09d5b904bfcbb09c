import { Customer } from '@pizza/contracts';

export const CUSTOMER_FIELDS = ['name', 'phone', 'address'] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];
export type CustomerValues = Record<CustomerField, string>;
export type CustomerErrors = Partial<Record<CustomerField, string>>;

export const EMPTY_CUSTOMER: CustomerValues = { name: '', phone: '', address: '' };

/** The first message of the shared schema for one field, or undefined when it is valid. */
export function validateCustomerField(field: CustomerField, value: string): string | undefined {
  const result = Customer.shape[field].safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** Validates the whole form with the same schema the API uses; trimmed values on success. */
export function validateCustomer(values: CustomerValues): { ok: true; customer: Customer } | { ok: false; errors: CustomerErrors } {
  const result = Customer.safeParse(values);
  if (result.success) return { ok: true, customer: result.data };
  const errors: CustomerErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    if (isCustomerField(field)) errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Maps server issues such as `customer.phone` back onto the form. */
export function customerErrorsFromIssues(issues: readonly { path: string; message: string }[]): CustomerErrors {
  const errors: CustomerErrors = {};
  for (const issue of issues) {
    const [head, field] = issue.path.split('.');
    if (head === 'customer' && isCustomerField(field)) errors[field] ??= issue.message;
  }
  return errors;
}

function isCustomerField(value: unknown): value is CustomerField {
  return typeof value === 'string' && (CUSTOMER_FIELDS as readonly string[]).includes(value);
}
