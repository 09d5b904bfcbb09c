// The one kind of failure `pnpm stack` reports as a single line (what failed and what to do).
export class StackError extends Error {}
