/** `npm run test:browser`: pages in a real headless Chromium (test/browser/*.browser.ts); not part of `npm test`. */
const base = require('./jest.config.js');
module.exports = { ...base, testMatch: ['**/test/browser/**/*.browser.ts'], maxWorkers: 1, testTimeout: 60000 };
