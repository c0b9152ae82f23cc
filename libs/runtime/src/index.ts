export * from './lib/runtime.module';
