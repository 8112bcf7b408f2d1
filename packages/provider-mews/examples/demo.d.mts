// The demo is a script run for its side effects; it exports nothing.
export {};
