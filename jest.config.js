/** Tests run from TypeScript sources; `npm run typecheck` type-checks them. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleNameMapper: { '^@gregor/([a-z]+)$': '<rootDir>/packages/$1/src' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  testTimeout: 30000,
  // A failed integration test can leave a broker process behind; exiting kills it (testkit's
  // exit hook) instead of waiting on its pipes forever.
  forceExit: true,
};
