import type { Sandbox } from '@brafa/sandbox';

export interface Leak {
  source: string;
  what: string;
  excerpt: string;
}

/** Every passcode the sandbox has ever seen: on locks (cloud and device), MEWS tokens, Beds24 items, TBF keycodes. */
export function allPasscodes(sandbox: Sandbox): string[] {
  const world = sandbox.scenario.world;
  const out = new Set<string>();
  for (const c of world.sciener.codes) {
    if (c.cloud) out.add(c.cloud.passcode);
    if (c.device) out.add(c.device.passcode);
  }
  for (const t of world.mews.tokens) out.add(t.Value);
  for (const i of world.beds24.infoItems) if (/^\d{4,9}$/.test(i.text)) out.add(i.text);
  for (const k of world.tbf.keycodes) out.add(k.keycode);
  // A PIN that happens to equal an id printed legitimately (a Beds24 room id, a booking
  // number…) cannot be told apart from a leak; such coincidences are left out.
  const ids = new Set<string>();
  for (const p of world.properties) if (p.beds24) ids.add(String(p.beds24.propertyId));
  for (const c of world.categories) ids.add(String(c.beds24RoomId));
  for (const r of world.reservations) ids.add(r.id).add(r.number);
  for (const l of world.sciener.locks) ids.add(String(l.lockId));
  for (const c of world.sciener.codes) ids.add(String(c.keyboardPwdId));
  for (const i of world.beds24.infoItems) ids.add(String(i.id)).add(String(i.bookingId));
  return [...out].filter((pin) => pin && !ids.has(pin));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where any secret or whole passcode occurs in `texts`. A passcode counts only as a whole
 * number (not inside a longer run of digits or an id), so an epoch timestamp that happens
 * to contain the same six digits is not a false alarm; secrets count anywhere.
 */
export function findLeaks(
  texts: Array<{ source: string; text: string }>,
  secrets: string[],
  passcodes: string[],
): Leak[] {
  const leaks: Leak[] = [];
  const excerpt = (text: string, index: number, length: number) =>
    text
      .slice(Math.max(0, index - 60), index + length + 60)
      .replaceAll('\n', ' ')
      .replace(new RegExp(escapeRegExp(text.slice(index, index + length)), 'g'), '<HERE>');
  for (const { source, text } of texts) {
    for (const secret of secrets) {
      if (secret.length < 4) continue;
      const at = text.indexOf(secret);
      if (at >= 0)
        leaks.push({
          source,
          what: `secret of ${secret.length} characters`,
          excerpt: excerpt(text, at, secret.length),
        });
    }
    if (passcodes.length === 0) continue;
    const pins = new RegExp(`(?<![0-9A-Za-z])(${passcodes.map(escapeRegExp).join('|')})(?![0-9A-Za-z])`, 'g');
    for (const m of text.matchAll(pins)) {
      leaks.push({ source, what: `a full passcode`, excerpt: excerpt(text, m.index, m[0].length) });
      if (leaks.length > 50) return leaks;
    }
  }
  return leaks;
}
