/** The negative tests trigger can send: each should be refused by a receiver that verifies. Light enough to load at startup. */
export const TAMPER_KINDS = ['signature', 'body', 'missing-signature', 'replay'] as const;
export type TamperKind = (typeof TAMPER_KINDS)[number];
