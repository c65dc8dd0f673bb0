export * from './iin.js';
export * from './money.js';
export * from './ids.js';
export * from './errors.js';
export * from './deposit.js';
export * from './search-attributes.js';
export * from './text.js';
export * from './bettor-age.js';
