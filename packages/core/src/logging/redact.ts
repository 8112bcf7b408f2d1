/**
 * Secrets (tokens, passwords, client secrets, the passcode secret) and full passcodes must
 * never reach a log line, an error message or an audit row. Redaction happens in two ways:
 * by key (a field named like a secret is replaced whatever its value) and by value (every
 * registered secret string is cut out of any text, wherever it appears).
 */

const SECRET_KEY = /(token|password|passwd|secret|authorization|api[-_]?key|cookie|keyboardpwd$|^pwd$)/i;
const PASSCODE_KEY = /(passcode|pincode|^pin$|^code$|keyboardPwd$)/i;

export const REDACTED = '[redacted]';

/** `482193` → `*****3`: enough for staff to tell codes apart, useless at a door. */
export function maskPasscode(passcode: string): string {
  if (passcode.length <= 1) return '*';
  return `${'*'.repeat(passcode.length - 1)}${passcode.slice(-1)}`;
}

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Register a secret value; values shorter than 4 characters are ignored (too noisy). */
  add(secret: string | undefined | null): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  text(input: string): string {
    let out = input;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  value(input: unknown, depth = 0): unknown {
    if (depth > 8) return '[depth]';
    if (typeof input === 'string') return this.text(input);
    if (input instanceof Date) return input.toISOString();
    if (input instanceof Error) return this.text(`${input.name}: ${input.message}`);
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1));
    if (input && typeof input === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(input)) {
        if (PASSCODE_KEY.test(key) && typeof v === 'string') out[key] = maskPasscode(v);
        else if (SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '') out[key] = REDACTED;
        else out[key] = this.value(v, depth + 1);
      }
      return out;
    }
    return input;
  }
}
