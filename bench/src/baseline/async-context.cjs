// Preloaded (`node --require`) into a system run with tracing off by the tracing-cost scenario:
// enters an empty AsyncLocalStorage store, which makes Node run its promise hooks for every
// promise from then on, as the OpenTelemetry context manager does when tracing is on. That arm
// measures what context propagation alone costs in this Node version, apart from the SDK.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');

new AsyncLocalStorage().enterWith({});
