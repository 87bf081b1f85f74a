/**
 * The effective config as the admin endpoint shows it. Which fields are
 * secret is the schema's to say and src/security/redact.ts's to enforce (one
 * rule for `/config`, logs and exports); this is the admin's name for it.
 */
export { redactConfig } from '../security/redact.ts';
