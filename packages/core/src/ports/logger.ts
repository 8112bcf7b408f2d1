import { Redactor } from '../logging/redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LogRecord {
  level: LogLevel;
  message: string;
  fields: LogFields;
  time: string;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Where redacted records go (default: JSON lines on stderr). */
  sink?: (record: LogRecord) => void;
  /** Secret values to cut out of every message and field. */
  redactor?: Redactor;
}

/** A logger that redacts secrets and passcodes before anything reaches the sink. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const redactor = options.redactor ?? new Redactor();
  const sink = options.sink ?? ((r: LogRecord) => process.stderr.write(`${JSON.stringify(r)}\n`));
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (ORDER[level] < min) return;
    sink({
      level,
      message: redactor.text(message),
      fields: redactor.value(fields) as LogFields,
      time: new Date().toISOString(),
    });
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
