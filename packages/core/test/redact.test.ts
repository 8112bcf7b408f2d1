import { describe, expect, it } from 'vitest';
import { maskPasscode, Redactor } from '../src/logging/redact.js';
import { createLogger, type LogRecord } from '../src/ports/logger.js';

describe('redaction', () => {
  it('masks passcodes to the last digit', () => {
    expect(maskPasscode('482193')).toBe('*****3');
  });

  it('removes registered secrets anywhere and secret-named fields entirely', () => {
    const records: LogRecord[] = [];
    const logger = createLogger({ sink: (r) => records.push(r), redactor: new Redactor(['tok-SECRET-123']) });
    logger.info('calling with tok-SECRET-123 in the url', {
      accessToken: 'abc-def-ghi',
      nested: { clientSecret: 's3cr3t-value', note: 'token tok-SECRET-123 again' },
      passcode: '482193',
      keyboardPwd: '555123',
      lockId: 'L1',
    });
    const text = JSON.stringify(records);
    for (const secret of ['tok-SECRET-123', 'abc-def-ghi', 's3cr3t-value', '482193', '555123'])
      expect(text).not.toContain(secret);
    expect(records[0]!.fields).toMatchObject({ lockId: 'L1', passcode: '*****3' });
  });

  it('drops records below the level', () => {
    const records: LogRecord[] = [];
    const logger = createLogger({ sink: (r) => records.push(r), level: 'warn' });
    logger.info('quiet');
    logger.warn('loud');
    expect(records.map((r) => r.message)).toEqual(['loud']);
  });
});
