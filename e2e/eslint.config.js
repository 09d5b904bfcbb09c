import base from '@pizza/eslint-config';

// End-to-end tooling is configured through the environment of the test run.
export default [...base, { rules: { 'no-restricted-properties': 'off' } }];
