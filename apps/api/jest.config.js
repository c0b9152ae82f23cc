const preset = require('../../jest.preset');

// The OpenTelemetry HTTP exporters (the real clients of the OTLP tests) load node:http with a dynamic import(), which
// jest's CommonJS runtime refuses without --experimental-vm-modules: their transport is compiled to require() here.
const OTLP_EXPORTER_BASE = 'node_modules/@opentelemetry/otlp-exporter-base/';
const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  ...preset,
  displayName: 'api',
  rootDir: __dirname,
  transform: { ...preset.transform, [`${OTLP_EXPORTER_BASE.replace(/[/@.-]/g, '\\$&')}.+\\.js$`]: swcJs },
  transformIgnorePatterns: ['^(?!.*/node_modules/@opentelemetry/otlp-exporter-base/).*/node_modules/'],
};
