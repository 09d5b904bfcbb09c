import base from '@pizza/eslint-config';

export default [...base];
