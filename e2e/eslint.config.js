export { default } from '@pizza/eslint-config';
